import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { COMMAND_NAMES } from '../../src/shared/channels'
import type { ApiHandlers, CallContext } from '../../src/shared/contract'
import type { ClientPort } from '../../src/main/api/core-services'
import type { CsvSource } from '../../src/main/server/export-route'
import type { ServedCore } from '../../src/main/server/ws-transport'

export const INDEX_HTML = `<!doctype html><html><head><meta
  http-equiv="Content-Security-Policy"
  content="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:*"
/></head><body><div id="root"></div><script type="module" src="/assets/app.js"></script></body></html>`

/** A temp dir holding renderer/ (a fake build) and, beside it, a file that must never be served. */
export async function fakeBuild(): Promise<{
  dir: string
  rendererDir: string
  cleanup: () => Promise<void>
}> {
  const dir = await mkdtemp(join(tmpdir(), 'tickflow-serve-'))
  const rendererDir = join(dir, 'renderer')
  await mkdir(join(rendererDir, 'assets'), { recursive: true })
  await writeFile(join(rendererDir, 'index.html'), INDEX_HTML)
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("tickflow")\n')
  await writeFile(join(rendererDir, 'assets', 'app.css'), 'body{margin:0}\n')
  await writeFile(join(dir, 'package.json'), '{"secret":"outside the renderer"}\n')
  return { dir, rendererDir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** A Core-shaped object of handlers: what the transport is tested against (no Kafka, no database). */
export interface FakeCore extends ServedCore, CsvSource {
  ports: Map<string, ClientPort>
  calls: { command: string; request: unknown; ctx?: CallContext }[]
  disconnected: string[]
}

export function fakeCore(): FakeCore {
  const calls: FakeCore['calls'] = []
  const ports = new Map<string, ClientPort>()
  const disconnected: string[] = []
  const stubs = Object.fromEntries(
    COMMAND_NAMES.map((name) => [
      name,
      async (request: unknown, ctx?: CallContext) => {
        calls.push({ command: name, request, ctx })
        throw new Error(`${name} is not part of this test`)
      },
    ]),
  ) as unknown as ApiHandlers // a test double: only the commands below are real
  return {
    ...stubs,
    async subscribe(request, ctx) {
      calls.push({ command: 'subscribe', request, ctx })
      return ['AAPL', request.symbol]
    },
    async getAlerts(request, ctx) {
      calls.push({ command: 'getAlerts', request, ctx })
      return []
    },
    // A tiny CSV in two writes, so a test sees the download stream and end.
    async streamCsv(request, out) {
      calls.push({ command: 'streamCsv', request })
      out.write('symbol,price\r\n')
      await new Promise((r) => setTimeout(r, 5))
      out.end('AAPL,1.5\r\n')
      return { rows: 1 }
    },
    connect(clientId, port) {
      ports.set(clientId, port)
      return () => {
        ports.delete(clientId)
        disconnected.push(clientId)
      }
    },
    ports,
    calls,
    disconnected,
  }
}

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/**
 * A GET with the path sent exactly as written (fetch would normalise `..` away); over HTTPS when
 * given the certificate to trust.
 */
export function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  ca?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const send = ca === undefined ? request : httpsRequest
    const req = send({ host: '127.0.0.1', port, path, method, headers, ...(ca ? { ca } : {}) }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Waits until check() holds, polling; fails after timeoutMs. */
export async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition')
    await new Promise((r) => setTimeout(r, 10))
  }
}

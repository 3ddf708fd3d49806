import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { authCookie, isAuthorized, newToken, splitUrl, tokensEqual } from './auth'
import { hostCheck, urlHost, usesOwnName } from './host-check'
import { isExportPath, serveExport, type CsvSource } from './export-route'
import { contentType, headerCsp, realInside, staticPath } from './static-files'
import { attachWsTransport, type ServedCore, type WsTransport } from './ws-transport'

export interface DashboardServerOptions {
  /** the API's handlers for the WebSocket, and the CSV export for downloads */
  core: ServedCore & CsvSource
  /** the built renderer: index.html and assets/ (out/renderer) */
  rendererDir: string
  /** the interface to bind; 127.0.0.1 unless the user opts in to another */
  host?: string
  /** 0 (the default) takes a free port */
  port?: number
  /** the access token; default a new one (serve keeps one per data dir, see dashboardToken) */
  token?: string
  /** PEM certificate and key: serve HTTPS, and mark the cookie Secure */
  tls?: { cert: string | Buffer; key: string | Buffer }
  /**
   * This instance's name under localhost (`tf-<random>.localhost`, see dashboardToken): on the
   * default loopback bind the URL uses it, so the browser keeps the cookie for this server alone.
   * Node's resolver does not know such names: the server still binds the address.
   */
  hostName?: string
}

export interface DashboardServer {
  readonly host: string
  readonly port: number
  /** the access token; the cookie carries it after the first visit */
  readonly token: string
  /** what to open in a browser: the dashboard's address with the token */
  readonly url: string
  /**
   * The same by the bound address (http://127.0.0.1:…), for a browser that does not resolve
   * `*.localhost`; null when `url` is that already
   */
  readonly addressUrl: string | null
  readonly transport: WsTransport
  /** closes every socket and stops listening */
  close(): Promise<void>
}

const UNAUTHORIZED = 'Unauthorized: open the address that `npm run serve` printed (it carries ?token=…).\n'

/**
 * Browser mode's HTTP face: the built renderer, CSV downloads (/export/…) and the /api WebSocket on
 * one port, all of it behind a random token. The token arrives once in the URL, is swapped for an
 * HttpOnly SameSite=Strict cookie, and the URL is redirected clean so the token does not linger in
 * the address bar.
 */
export async function startDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const root = opts.rendererDir
  const host = opts.host ?? '127.0.0.1'
  let indexHtml: string
  try {
    indexHtml = await readFile(join(root, 'index.html'), 'utf8')
  } catch {
    throw new Error(`${join(root, 'index.html')} is missing: run npm run build first`)
  }
  const token = opts.token ?? newToken()
  const csp = headerCsp(indexHtml)
  const secure = opts.tls !== undefined
  let port = 0 // known once listening, before any request can arrive
  const ownName = opts.hostName && usesOwnName(host, secure) ? opts.hostName : null
  const hostAllowed = hostCheck(host, () => port, secure, ownName ? [ownName] : [])

  const securityHeaders = (res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', csp)
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('X-Frame-Options', 'DENY')
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return text(res, 405, 'Method not allowed\n')
    }
    // DNS rebinding: a page of another name resolved to us must not even learn what is here.
    if (!hostAllowed(req.headers.host)) return text(res, 421, 'Misdirected request: unknown host name\n')
    const { path, query } = splitUrl(req.url)
    const given = query.get('token')
    if (given !== null) {
      if (!tokensEqual(given, token)) return text(res, 401, UNAUTHORIZED)
      query.delete('token')
      const rest = query.toString()
      // Only a plain absolute path goes back into Location: never `//host` or `/\host`.
      const clean = /^\/(?![/\\])[^\\]*$/.test(path) ? path : '/'
      res.writeHead(302, {
        Location: clean + (rest ? `?${rest}` : ''),
        'Set-Cookie': authCookie(token, secure),
      })
      res.end()
      return
    }
    if (!isAuthorized(req, token)) return text(res, 401, UNAUTHORIZED)
    if (path === '/healthz') return text(res, 200, 'ok\n')
    if (isExportPath(path)) return serveExport(opts.core, req, res, path, query)

    const file = staticPath(root, path)
    const info = file ? await stat(file).catch(() => null) : null
    if (!file || !info?.isFile() || !(await realInside(root, file))) return text(res, 404, 'Not found\n')
    const body = await readFile(file)
    const isIndex = file === join(root, 'index.html')
    res.writeHead(200, {
      'Content-Type': contentType(file),
      'Content-Length': body.length,
      // Vite's assets carry a content hash in their names; the page itself must always be fresh.
      'Cache-Control': isIndex
        ? 'no-store'
        : path.startsWith('/assets/')
          ? 'private, max-age=31536000, immutable'
          : 'no-cache',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => {
      if (!res.headersSent) text(res, 500, 'Internal error\n')
      else res.destroy()
    })
  }
  let server: Server
  try {
    server = opts.tls ? createHttpsServer(opts.tls, onRequest) : createServer(onRequest)
  } catch (err) {
    throw new Error(`TLS: the certificate or key is not usable: ${(err as Error).message}`, { cause: err })
  }
  const transport = attachWsTransport(server, { core: opts.core, token, path: '/api', secure, hostAllowed })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const at = (name: string): string => `${secure ? 'https' : 'http'}://${name}:${port}/?token=${token}`
  const url = at(ownName ?? urlHost(host))
  const addressUrl = ownName ? at(urlHost(host)) : null

  let closing: Promise<void> | null = null
  return {
    host,
    port,
    token,
    url,
    addressUrl,
    transport,
    close() {
      closing ??= new Promise<void>((resolve) => {
        transport.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  })
  res.end(body)
}

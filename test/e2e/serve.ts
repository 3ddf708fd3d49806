import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { dropTestSchema, uniqueSchemaName } from '../setup/test-database'

export interface Served {
  /** the printed URL, token included */
  url: string
  origin: string
  token: string
  child: ChildProcess
  /** everything the server printed so far, for failure messages */
  output(): string
  /** Ctrl-C: resolves with the exit code */
  stop(): Promise<number | null>
  dataDir: string
  schema: string
  port: number
}

const URL_LINE = /Tickflow is serving the dashboard at (http:\/\/\S+)/

/**
 * `npm run serve` on the run's real broker and PostgreSQL, with a topic, schema and data dir of
 * its own. `reuse` starts it again on the same data dir, schema and port (a server restart).
 */
export async function startServe(
  opts: { args?: string[]; reuse?: Pick<Served, 'dataDir' | 'schema' | 'port'> } = {},
): Promise<Served> {
  const schema = opts.reuse?.schema ?? uniqueSchemaName('e2e')
  const dataDir = opts.reuse?.dataDir ?? (await mkdtemp(join(tmpdir(), 'tickflow-e2e-')))
  const args = [
    ...['--brokers', inject('kafkaBrokers'), '--topic', `e2e-${schema}`],
    ...['--database-url', inject('databaseUrl'), '--schema', schema, '--data-dir', dataDir],
    ...(opts.reuse ? ['--port', String(opts.reuse.port)] : []),
    ...(opts.args ?? []),
  ]
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/serve.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '', FINNHUB_TOKEN: '' },
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 90 s:\n${out}`)), 90_000)
    const check = (): void => {
      const m = URL_LINE.exec(out)
      if (!m) return
      clearTimeout(timer)
      resolve(m[1]!)
    }
    child.stdout!.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code} before printing a URL:\n${out}`))
    })
  })
  const u = new URL(url)
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null) child.kill('SIGINT')
    return exited
  }
  return {
    url,
    origin: u.origin,
    token: u.searchParams.get('token') ?? '',
    child,
    output: () => out,
    stop,
    dataDir,
    schema,
    port: Number(u.port),
  }
}

/** Removes what startServe made. */
export async function cleanServe(s: { dataDir: string; schema: string }): Promise<void> {
  await dropTestSchema(s.schema)
  await rm(s.dataDir, { recursive: true, force: true })
}

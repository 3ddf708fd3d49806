import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { dropTestSchema, uniqueSchemaName } from '../setup/test-database'
import { isRunning, killGroup, signalGroup } from './process-group'
import { kafkaSaslEnv } from '../helpers/test-kafka'

export interface Served {
  /** the printed URL, token included: the instance's own name under localhost, for the browser */
  url: string
  origin: string
  /** the same server by address, http://127.0.0.1:port: Node's resolver does not know *.localhost */
  address: string
  token: string
  child: ChildProcess
  /** everything the server printed so far, for failure messages */
  output(): string
  /** Ctrl-C: resolves with the exit code; null when it had to be killed after STOP_MS */
  stop(): Promise<number | null>
  dataDir: string
  schema: string
  port: number
}

const URL_LINE = /Tickflow is serving the dashboard at (http:\/\/\S+)/

/** How long serve may take to print its URL: it builds the services first. */
const START_MS = 90_000

/** How long a stop may drain before the server is killed: a hang must not hold the teardown. */
const STOP_MS = 60_000

/** Every serve this worker started, by process: killServes() stops whatever still runs. */
const started = new Set<ChildProcess>()

// A worker that ends before its afterAll did (a hook timed out, the run was interrupted) still
// takes its servers along. vitest ends a worker with SIGTERM, which runs no 'exit' handler: stop
// them, then let the signal do what it would have done.
const killAll = (): void => started.forEach((child) => signalGroup(child, 'SIGKILL'))
process.on('exit', killAll)
process.once('SIGTERM', () => {
  killAll()
  process.kill(process.pid, 'SIGTERM')
})

/**
 * `npm run serve` on the run's real broker and PostgreSQL, with a topic, schema and data dir of
 * its own. `reuse` starts it again on the same data dir, schema and port (a server restart). If it
 * prints no URL, its process group is killed before this rejects.
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
  // Detached: a group of its own, so a kill reaches tsx's esbuild child too.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/serve.ts', ...args], {
    detached: true,
    env: { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '', FINNHUB_TOKEN: '', ...kafkaSaslEnv() },
  })
  started.add(child)
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))

  let url: string
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`serve printed no URL in ${START_MS / 1000} s:\n${out}`)),
        START_MS,
      )
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
  } catch (err) {
    // Whatever the test does with the error, the server it started must not outlive it.
    await killGroup(child)
    throw err
  }
  const u = new URL(url)
  const stop = async (): Promise<number | null> => {
    // SIGINT to serve alone, as `kill -INT`: it drains, and its esbuild child must live until then.
    if (isRunning(child)) child.kill('SIGINT')
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_MS)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    url,
    origin: u.origin,
    address: `http://127.0.0.1:${u.port}`,
    token: u.searchParams.get('token') ?? '',
    child,
    output: () => out,
    stop,
    dataDir,
    schema,
    port: Number(u.port),
  }
}

/** For afterAll, after any graceful stop: SIGKILLs each serve still running, by its group's pid. */
export async function killServes(): Promise<void> {
  await Promise.all([...started].map((child) => killGroup(child)))
  started.clear()
}

/** Removes what startServe made. */
export async function cleanServe(s: { dataDir: string; schema: string }): Promise<void> {
  await dropTestSchema(s.schema)
  await rm(s.dataDir, { recursive: true, force: true })
}

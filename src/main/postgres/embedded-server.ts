import { spawn, type ChildProcess } from 'node:child_process'
import type { ExitInfo } from '../supervise/restart-policy'
import { startWatchdog } from '../supervise/watchdog'
import type { Identity } from './embedded-files'
import { childEnv } from '../base/child-env'

/** The postmaster process of the embedded cluster: started, watched, stopped. */

export interface ServerOptions {
  clusterDir: string
  port: number
  /** tests only: no fsync, so a crash of the machine can corrupt the cluster */
  fast?: boolean
  onLog?: (line: string) => void
}

const LOG_TAIL = 40

export interface Server {
  child: ChildProcess
  exited: Promise<ExitInfo>
}

export function startServer(postgres: string, opts: ServerOptions, who: Identity): Promise<Server> {
  const { clusterDir, port } = opts
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
  // Own process group: a terminal's Ctrl-C reaches Node only, and Node stops the server after the
  // pipeline has drained into it (in the group, the server would end those sessions at once). The
  // watchdog stops it instead should Node die without stopping it.
  const child = spawn(postgres, args, {
    ...who,
    env: childEnv({ LC_ALL: 'C' }),
    stdio: 'pipe',
    detached: true,
  })
  const dog =
    child.pid === undefined
      ? null
      : startWatchdog({
          servicePid: child.pid,
          stopSignal: 'INT',
          killSignal: 'QUIT',
          name: 'tickflow-postgres-watchdog',
        })
  const tail: string[] = []
  const exited = new Promise<ExitInfo>((resolve) =>
    child.on('exit', (code, signal) => {
      dog?.dismiss()
      resolve({ code, signal })
    }),
  )
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

export async function stopServer(server: Server): Promise<void> {
  const { child } = server
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGINT') // fast shutdown: roll back open transactions, then checkpoint
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref())
  if ((await Promise.race([server.exited, timeout])) === 'timeout') {
    child.kill('SIGQUIT')
    await server.exited
  }
}

export const running = new Set<ChildProcess>()
let exitHookInstalled = false

export function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // Best effort when the process exits without stop(): 'exit' handlers must be synchronous.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGINT')
  })
}

/** Initialises the cluster on first use, then starts it. Resolves once it accepts connections. */

import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { ExitInfo } from '../../supervise/restart-policy'
import { startWatchdog } from '../../supervise/watchdog'
import {
  prepareBroker,
  recordBrokerState,
  waitForBroker,
  type LaunchOptions,
  type PreparedBroker,
  retryAfterBindFailure,
} from './broker-launch'
import { acquireStartLock, readBrokerState, removeBrokerState } from './broker-state'
import { brokerStatus } from './detached-broker'
import { brokerDirs } from './paths'
import type { ManagedSasl } from './credentials'
import { childEnv } from '../../base/child-env'

export { brokerStatus, startDetachedBroker, stopDetachedBroker } from './detached-broker'
export type { BrokerStatus, DetachedBroker } from './detached-broker'

export interface LocalBrokerOptions {
  /** Data and logs go to <dataDir>/kafka. */
  dataDir: string
  /** undefined: 9092 if free, else any free port. 0: any free port. Otherwise exactly this port. */
  port?: number
  heapMb?: number
  onProgress?: (msg: string) => void
  /** Broker stdout/stderr lines (warnings and errors; INFO goes to <dataDir>/kafka/logs/server.log). */
  onLog?: (line: string) => void
  /** Default 60 s. */
  startTimeoutMs?: number
  /** Time between SIGTERM and SIGKILL in stop(); default 30 s. */
  stopTimeoutMs?: number
  resourcesDir?: string
  cacheDir?: string
  /** server.properties settings beyond the template's (tests shorten intervals with these) */
  overrides?: Record<string, string>
}

export interface LocalBrokerHandle {
  bootstrap: string
  pid: number
  port: number
  /** the KRaft cluster id of this data dir (meta.properties); undefined if unreadable */
  clusterId: string | undefined
  /** what every client of this broker authenticates with (its listeners take nothing else) */
  sasl: ManagedSasl
  /** resolves when the JVM exits, for whatever reason (a supervisor listens) */
  exited: Promise<ExitInfo>
  stop(): Promise<void>
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

async function launchAttached(prep: PreparedBroker, opts: LocalBrokerOptions): Promise<LocalBrokerHandle> {
  // Own process group: a terminal Ctrl-C reaches Node only, so Node decides when the broker stops
  // (after the pipeline has drained), instead of the broker vanishing under it.
  const child = spawn(prep.java, prep.args, {
    detached: true,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid === undefined) {
    await new Promise((r) => child.once('error', r))
    throw new Error(`could not start ${prep.java}`)
  }
  const pid = child.pid
  const recent: string[] = []
  const onLine = (line: string): void => {
    recent.push(line)
    if (recent.length > 50) recent.shift()
    opts.onLog?.(line)
  }
  // Always drain the pipes: a full pipe would block the JVM's logging threads.
  createInterface({ input: child.stdout! }).on('line', onLine)
  createInterface({ input: child.stderr! }).on('line', onLine)
  let exited = false
  const exitInfo = new Promise<ExitInfo>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true
      resolve({ code, signal })
    }),
  )
  // The JVM is in its own process group; this stops it should Node die without stop().
  const dog = startWatchdog({
    servicePid: pid,
    stopSignal: 'TERM',
    killSignal: 'KILL',
    name: 'tickflow-kafka-watchdog',
  })
  const onExit = (): void => {
    try {
      process.kill(pid, 'SIGTERM')
      rmSync(prep.dirs.state, { force: true })
    } catch {
      // Already gone, and this process is exiting: nobody is left to tell. A state file left
      // behind names a dead pid, which its readers check (brokerStatus).
    }
  }
  process.once('exit', onExit)

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM')
        if (!(await waitExit(child, opts.stopTimeoutMs ?? 30_000))) {
          child.kill('SIGKILL')
          await waitExit(child, 10_000)
        }
      }
      // The first start's JVM dumped its class archive on the way out: kept only after a clean exit.
      await prep.classArchive.settle(exited ? await exitInfo : null)
      process.removeListener('exit', onExit)
      if ((await readBrokerState(prep.dirs.state))?.pid === pid) await removeBrokerState(prep.dirs.state)
      dog.dismiss()
    })())

  try {
    // Recorded like a detached broker's, so `npm run kafka -- status` and a second start see it.
    await recordBrokerState(prep, pid)
    await waitForBroker(
      prep,
      () => exited,
      opts.startTimeoutMs ?? 60_000,
      () => recent,
    )
  } catch (err) {
    await stop()
    throw err
  }
  return {
    bootstrap: prep.bootstrap,
    pid,
    port: prep.port,
    clusterId: prep.clusterId,
    sasl: prep.sasl,
    exited: exitInfo,
    stop,
  }
}

/**
 * Starts a single-node KRaft broker as a child of this process and resolves once it answers.
 * The broker keeps its topics across restarts on the same dataDir. Call stop() before exiting;
 * if this process dies anyway, a watchdog stops the JVM.
 */
export async function startLocalBroker(opts: LocalBrokerOptions): Promise<LocalBrokerHandle> {
  const dirs = brokerDirs(opts.dataDir)
  await mkdir(dirs.root, { recursive: true })
  const unlock = await acquireStartLock(dirs.startLock)
  try {
    const running = await brokerStatus(opts.dataDir)
    if (running.running) {
      throw new Error(
        `a broker already runs on ${running.bootstrap} (pid ${running.pid}) for ${opts.dataDir}: use it, or stop it with npm run kafka -- stop`,
      )
    }
    let launch: LaunchOptions = { ...opts, dumpClassArchive: true }
    for (let attempt = 1; ; attempt++) {
      const prep = await prepareBroker(launch)
      try {
        return await launchAttached(prep, opts)
      } catch (err) {
        const next = retryAfterBindFailure(prep, launch, err, attempt)
        if (!next) throw err
        opts.onProgress?.(`port ${prep.port} or ${prep.controllerPort} was taken, retrying`)
        launch = next
      }
    }
  } finally {
    await unlock()
  }
}

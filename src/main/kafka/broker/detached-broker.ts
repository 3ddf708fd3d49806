// A broker that outlives the process that started it (`npm run kafka -- start`). Its pid and port are
// recorded in <dataDir>/kafka/broker.json; status and stop trust that file only after checking the
// pid still runs kafka.Kafka with this data dir's server.properties.
import { spawn } from 'node:child_process'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import {
  prepareBroker,
  recordBrokerState,
  retryAfterBindFailure,
  waitForBroker,
  type LaunchOptions,
} from './broker-launch'
import { isProcessAlive, processCommandLine } from '../../base/process-info'
import { acquireStartLock, isOurBrokerCommand, readBrokerState, removeBrokerState } from './broker-state'
import { brokerDirs } from './paths'
import { managedSasl, readManagedSasl, type ManagedSasl } from './credentials'
import { childEnv } from '../../base/child-env'

export type BrokerStatus =
  | { running: true; pid: number; port: number; bootstrap: string; dataDir: string }
  | { running: false; dataDir: string }

export interface DetachedBroker {
  bootstrap: string
  pid: number
  port: number
  /** False when a broker was already running for this data dir and was reused. */
  started: boolean
  /** what its clients authenticate with */
  sasl: ManagedSasl
}

export async function brokerStatus(dataDir: string): Promise<BrokerStatus> {
  const dirs = brokerDirs(dataDir)
  const state = await readBrokerState(dirs.state)
  if (state && (await isProcessAlive(state.pid))) {
    const cmd = await processCommandLine(state.pid)
    if (cmd && isOurBrokerCommand(cmd, state.propertiesPath)) {
      return {
        running: true,
        pid: state.pid,
        port: state.port,
        bootstrap: state.bootstrap,
        dataDir: dirs.root,
      }
    }
  }
  return { running: false, dataDir: dirs.root }
}

export async function startDetachedBroker(opts: LaunchOptions): Promise<DetachedBroker> {
  const dirs = brokerDirs(opts.dataDir)
  await mkdir(dirs.root, { recursive: true })
  const unlock = await acquireStartLock(dirs.startLock)
  try {
    return await startUnlocked(opts)
  } finally {
    await unlock()
  }
}

async function startUnlocked(opts: LaunchOptions): Promise<DetachedBroker> {
  const status = await brokerStatus(opts.dataDir)
  if (status.running) {
    const sasl = opts.password ? managedSasl(opts.password) : await readManagedSasl(opts.dataDir)
    return { bootstrap: status.bootstrap, pid: status.pid, port: status.port, started: false, sasl }
  }
  let launch: LaunchOptions = { ...opts }
  for (let attempt = 1; ; attempt++) {
    const prep = await prepareBroker(launch)
    const out = await open(join(prep.dirs.logs, 'stdout.log'), 'a')
    let exited = false
    let pid: number | undefined
    try {
      // No watchdog and its own session: this broker is meant to survive the CLI that started it.
      const child = spawn(prep.java, prep.args, {
        detached: true,
        env: childEnv(),
        stdio: ['ignore', out.fd, out.fd],
      })
      child.once('exit', () => (exited = true))
      child.once('error', () => (exited = true))
      child.unref()
      pid = child.pid
      if (pid === undefined) throw new Error(`could not start ${prep.java}`)
      await recordBrokerState(prep, pid)
      await waitForBroker(prep, () => exited, opts.startTimeoutMs ?? 60_000)
      return { bootstrap: prep.bootstrap, pid, port: prep.port, started: true, sasl: prep.sasl }
    } catch (err) {
      if (pid !== undefined && !exited) await killAndWait(pid, 10_000)
      await removeBrokerState(prep.dirs.state)
      const next = retryAfterBindFailure(prep, launch, err, attempt)
      if (!next) throw err
      launch = next
    } finally {
      await out.close()
    }
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (await isProcessAlive(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 100))
  }
  return true
}

async function killAndWait(pid: number, termMs: number): Promise<void> {
  const signal = (s: NodeJS.Signals): void => {
    try {
      process.kill(pid, s)
    } catch {
      // Already gone (ESRCH): which is what the kill wanted.
    }
  }
  signal('SIGTERM')
  if (await waitGone(pid, termMs)) return
  signal('SIGKILL')
  if (!(await waitGone(pid, 10_000))) throw new Error(`Kafka broker pid ${pid} did not exit after SIGKILL`)
}

/** Stops the broker of this data dir (detached, or attached to another process): SIGTERM, then SIGKILL after timeoutMs (default 30 s). */
export async function stopDetachedBroker(
  dataDir: string,
  opts: { timeoutMs?: number } = {},
): Promise<{ wasRunning: boolean; pid?: number }> {
  const status = await brokerStatus(dataDir)
  const statePath = brokerDirs(dataDir).state
  if (!status.running) {
    await removeBrokerState(statePath) // stale: the pid died or was reused
    return { wasRunning: false }
  }
  await killAndWait(status.pid, opts.timeoutMs ?? 30_000)
  await removeBrokerState(statePath)
  return { wasRunning: true, pid: status.pid }
}

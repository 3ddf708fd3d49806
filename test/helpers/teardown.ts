import type { ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { isProcessAlive } from '../../src/main/base/process-info'

export interface StopOptions {
  /** the first signal; SIGKILL follows after graceMs. Default SIGKILL. */
  signal?: NodeJS.Signals
  graceMs?: number
  /** spawned detached: signal its whole process group (pid = pgid), so what it started goes too */
  group?: boolean
  /** only if its command line still holds this (a unique data dir): a reused pid is not ours */
  mentioning?: string
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function waitGone(pid: number, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    if (!(await isProcessAlive(pid))) return true
  }
  return !(await isProcessAlive(pid))
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig)
  } catch {
    // gone meanwhile
  }
}

/** Stops one process by pid (or its group), and resolves once it is gone; throws if it stays. */
export async function stopPid(pid: number, o: StopOptions = {}): Promise<void> {
  if (!(await isProcessAlive(pid))) return
  if (o.mentioning !== undefined) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')
    if (!cmdline.includes(o.mentioning)) return
  }
  const first = o.signal ?? 'SIGKILL'
  signal(pid, first, o.group ?? false)
  if (await waitGone(pid, first === 'SIGKILL' ? 10_000 : (o.graceMs ?? 10_000))) return
  signal(pid, 'SIGKILL', o.group ?? false)
  if (!(await waitGone(pid, 10_000))) throw new Error(`pid ${pid} is still alive after SIGKILL`)
}

/**
 * What a test started, undone in afterEach whatever its assertions did: a failed expect() skips
 * the rest of the test, its own cleanup included, and what it left running competes with the
 * rest of the run for two cores (a child's own detached children may even outlive the run).
 * Steps run last first; each runs even when an earlier one failed.
 */
export class Teardown {
  private steps: (() => Promise<void> | void)[] = []

  add(step: () => Promise<void> | void): void {
    this.steps.push(step)
  }

  /** A child of the test, stopped by pid (by group when spawned detached) unless it exited. */
  child<T extends ChildProcess>(child: T, o: StopOptions = {}): T {
    const pid = child.pid
    if (pid !== undefined) {
      this.add(async () => {
        // Our own child: its exit is known exactly, with no pid reuse to guard against.
        if (child.exitCode === null && child.signalCode === null) await stopPid(pid, o)
      })
    }
    return child
  }

  /** A process the test did not spawn itself (a server its child started), by pid. */
  pid(pid: number, o: StopOptions = {}): void {
    this.add(() => stopPid(pid, o))
  }

  async run(): Promise<void> {
    const steps = this.steps.reverse()
    this.steps = []
    const errors: unknown[] = []
    for (const step of steps)
      await Promise.resolve()
        .then(step)
        .catch((e: unknown) => errors.push(e))
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, 'teardown failed')
  }
}

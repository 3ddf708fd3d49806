import type { ChildProcess } from 'node:child_process'

/*
 * Stopping what the e2e tests spawn, by pid. Each child is spawned detached, so it leads a process
 * group of its own, and one signal to -pid also reaches what it started: tsx's esbuild service,
 * Chromium's renderer and GPU processes.
 */

export const isRunning = (child: ChildProcess): boolean =>
  child.exitCode === null && child.signalCode === null

/**
 * Signals the child's process group, synchronously (an 'exit' handler may call it). Only while the
 * child has not exited: until Node reaps it, its pid, and so the group id, cannot be another's.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!isRunning(child) || child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch (err) {
    // gone between the check and the signal
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
}

/** SIGKILLs the child's process group and resolves once the child has exited. */
export async function killGroup(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  signalGroup(child, 'SIGKILL')
  await exited
}

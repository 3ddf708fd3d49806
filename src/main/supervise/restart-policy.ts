// Pure rules of the service supervisor (service-supervisor.ts): how long to wait before a restart,
// and how to say in words how a process ended.

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface RestartBackoff {
  initialMs: number
  maxMs: number
  /** a process that ran this long before dying starts the backoff over */
  stableMs: number
}

/** Soon after the first death, at most every 30 s while it keeps failing. */
export const SERVICE_BACKOFF: RestartBackoff = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 }

/**
 * Delay before restart attempt `attempt` (1-based): doubling from initialMs, capped at maxMs, with
 * half of it random so that two supervisors do not retry a shared port in lockstep.
 */
export function restartDelayMs(
  attempt: number,
  b: RestartBackoff = SERVICE_BACKOFF,
  random: () => number = Math.random,
): number {
  const base = Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(base / 2 + random() * (base / 2))
}

/** The attempt number after a death: back to 1 when the process had run for stableMs or more. */
export function nextAttempt(previous: number, ranMs: number, b: RestartBackoff = SERVICE_BACKOFF): number {
  return ranMs >= b.stableMs ? 1 : previous + 1
}

/** "was killed by SIGKILL", "exited with code 1", "exited" */
export function describeExit(e: ExitInfo): string {
  if (e.signal) return `was killed by ${e.signal}`
  if (e.code !== null) return `exited with code ${e.code}`
  return 'exited'
}

/** "1.0 s", "30 s" */
export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`
}

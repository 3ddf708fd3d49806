// Pure rules of the service supervisor (service-supervisor.ts): its backoff numbers (the rule is
// base/backoff.ts), and how to say in words how a process ended.
import type { BackoffOptions } from '../base/backoff'

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

/** Soon after the first death, at most every 30 s while it keeps failing; a minute's run is stable. */
export const SERVICE_BACKOFF: BackoffOptions = {
  initialMs: 1_000,
  maxMs: 30_000,
  factor: 2,
  stableMs: 60_000,
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

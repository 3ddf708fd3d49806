// Pure rules of the service supervisor (service-supervisor.ts): how to say in words how a process
// ended. Its backoff is the one restart policy, RESTART_BACKOFF in base/backoff.ts.

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
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

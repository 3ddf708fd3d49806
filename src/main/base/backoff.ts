// One backoff for everything that retries or restarts: a reconnecting feed, a restarted consumer,
// a supervised child process. Each caller keeps its own numbers; the rule is the same.

export interface BackoffOptions {
  /** delay before the first retry */
  initialMs: number
  /** the cap: retries never wait longer than this */
  maxMs: number
  factor: number
  /** a run that lasted this long before failing starts the count over (see nextAttempt) */
  stableMs?: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 }

/**
 * The one restart policy, for the writer (pipeline/consumer/consumer-thread.ts) and the services
 * (supervise/service-supervisor.ts): soon after the first failure, at most every 30 s while it
 * keeps failing; a run of a minute was healthy, so the next failure starts the count over.
 */
export const RESTART_BACKOFF: BackoffOptions = {
  initialMs: 1_000,
  maxMs: 30_000,
  factor: 2,
  stableMs: 60_000,
}

/**
 * Delay before retry number `attempt` (1-based): exponential, capped, with "equal jitter" (half fixed,
 * half random) so many clients dropped at once do not reconnect in lockstep, yet never retry at once.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1)
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** exponent)
  return Math.round(base / 2 + random() * (base / 2))
}

/**
 * The attempt number after a failure: back to 1 when the run had lasted `stableMs` or more (it was
 * healthy, so this is a new failure, not the same one again), else one more than before.
 */
export function nextAttempt(previous: number, ranMs: number, options: BackoffOptions): number {
  return options.stableMs !== undefined && ranMs >= options.stableMs ? 1 : previous + 1
}

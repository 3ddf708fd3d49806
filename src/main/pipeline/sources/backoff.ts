export interface BackoffOptions {
  /** delay before the first retry */
  initialMs: number
  /** the cap: retries never wait longer than this */
  maxMs: number
  factor: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 }

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

import { z } from 'zod'

/**
 * Tunable numbers stored in the `thresholds` table. The first three are the assignment's; the
 * alert limits are ours. sql/001_schema.sql seeds the same defaults (a test keeps them equal).
 */
export const THRESHOLD_IDS = [
  'symbols_subscribed',
  'data_loss_window_s',
  'rate_interval_s',
  'latency_alert_ms',
  'rejects_alert_per_min',
] as const

export type ThresholdId = (typeof THRESHOLD_IDS)[number]

export type Thresholds = Record<ThresholdId, number>

interface ThresholdSpec {
  description: string
  defaultValue: number
  schema: z.ZodType<number>
}

const int = (min: number, max: number, unit: string): z.ZodType<number> =>
  z
    .number({ error: 'must be a number' })
    .int(`must be a whole number of ${unit}`)
    .min(min, `must be at least ${min} ${unit}`)
    .max(max, `must be at most ${max} ${unit}`)

export const THRESHOLD_SPECS: Record<ThresholdId, ThresholdSpec> = {
  symbols_subscribed: {
    description: 'Symbols expected in every data-loss window; fewer seen means data loss',
    defaultValue: 4,
    schema: int(1, 50, 'symbols'),
  },
  data_loss_window_s: {
    description: 'Width of a data-loss window in seconds',
    defaultValue: 30,
    schema: int(1, 3600, 'seconds'),
  },
  rate_interval_s: {
    description: 'Bucket width in seconds for trades per second and the volume trend',
    defaultValue: 1,
    schema: int(1, 3600, 'seconds'),
  },
  latency_alert_ms: {
    description: 'Alert when the p95 latency from trade time to database write exceeds this (ms)',
    defaultValue: 5000,
    schema: int(1, 3_600_000, 'ms'),
  },
  rejects_alert_per_min: {
    description: 'Alert when at least this many frames or records are rejected within one minute',
    defaultValue: 1,
    schema: int(1, 1_000_000, 'rejects'),
  },
}

export const DEFAULT_THRESHOLDS: Thresholds = Object.fromEntries(
  THRESHOLD_IDS.map((id) => [id, THRESHOLD_SPECS[id].defaultValue]),
) as Thresholds

export class ThresholdError extends Error {
  override name = 'ThresholdError'
}

export function isThresholdId(id: string): id is ThresholdId {
  return (THRESHOLD_IDS as readonly string[]).includes(id)
}

/** Checks an id and value from the UI/CLI/SQL; throws a ThresholdError that says what is wrong. */
export function parseThreshold(id: string, value: unknown): { id: ThresholdId; value: number } {
  if (!isThresholdId(id)) {
    throw new ThresholdError(`unknown threshold "${id}"; known: ${THRESHOLD_IDS.join(', ')}`)
  }
  const result = THRESHOLD_SPECS[id].schema.safeParse(value)
  if (!result.success) {
    const reason = result.error.issues[0]?.message ?? 'invalid value'
    throw new ThresholdError(`threshold ${id} = ${String(value)}: ${reason}`)
  }
  return { id, value: result.data }
}

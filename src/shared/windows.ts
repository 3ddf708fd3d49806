import { z } from 'zod'
import { symbolSchema } from './symbols'

/**
 * The dashboard's time window: a preset that slides with the clock, or a fixed range. The core
 * turns it into [from, to) at every tick (resolveWindow) and picks a bucket width that keeps each
 * series to a few hundred points and long windows on the minute rollups (bucketSecondsFor).
 */

export const WINDOW_PRESETS = ['5m', '1h', '24h', '7d', '30d', 'run'] as const
export type WindowPreset = (typeof WINDOW_PRESETS)[number]

export const WINDOW_PRESET_LABELS: Record<WindowPreset, string> = {
  '5m': 'Last 5 min',
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  run: 'This run',
}

const DAY_MS = 24 * 3600 * 1000

/**
 * A custom range may span as long as the minute rollups are kept (400 days, sql/011), which hold
 * the KPIs of days whose raw trades retention dropped; longer would show empty charts as data loss.
 */
export const MAX_RANGE_DAYS = 400
export const MAX_RANGE_MS = MAX_RANGE_DAYS * DAY_MS

/** "This run" shows at most its last day: a run is watched live, in seconds and minutes. */
export const MAX_RUN_WINDOW_MS = DAY_MS

const ms = z.number().int().nonnegative()

export const windowSpecSchema = z.union([
  z.object({ preset: z.enum(WINDOW_PRESETS) }).strict(),
  z
    .object({ from: ms, to: ms })
    .strict()
    .refine((w) => w.from < w.to, 'the window must end after it starts')
    .refine((w) => w.to - w.from <= MAX_RANGE_MS, `a custom range spans at most ${MAX_RANGE_DAYS} days`),
])
export type WindowSpec = z.infer<typeof windowSpecSchema>

/** What a client watches: a window, and the symbol of the volume-trend view (default: the busiest). */
export const watchRequestSchema = z
  .object({ window: windowSpecSchema, symbol: symbolSchema.optional() })
  .strict()
export type WatchRequest = z.infer<typeof watchRequestSchema>

/** One key per distinct watch, so clients watching the same thing share one query. */
export function watchKey(w: WatchRequest): string {
  const win = 'preset' in w.window ? w.window.preset : `${w.window.from}-${w.window.to}`
  return `${win}|${w.symbol ?? ''}`
}

/** The last (or current) run of the pipeline: started, and stopped unless still running. */
export interface RunSpan {
  startedAt: number
  stoppedAt: number | null
}

const PRESET_MS: Record<Exclude<WindowPreset, 'run'>, number> = {
  '5m': 300_000,
  '1h': 3_600_000,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
}

const HOUR_MS = 3_600_000

/**
 * [from, to) in ms for a window at `now`. Preset ends are rounded up to the next whole second, so
 * every client and tick of one second asks the same question. Presets of a day or more start on
 * the whole hour before: their first hour bucket is then whole, and kpi_snapshot() reads it from
 * hour rollups, not from up to 59 minute rows at every tick (sql/015). "This run" without a run yet is
 * the last 5 minutes; a run longer than a day shows its last day.
 */
export function resolveWindow(
  spec: WindowSpec,
  now: number,
  run: RunSpan | null,
): { from: number; to: number } {
  const end = Math.ceil((now + 1) / 1000) * 1000
  if (!('preset' in spec)) return { from: spec.from, to: spec.to }
  if (spec.preset !== 'run') {
    const from = end - PRESET_MS[spec.preset]
    return {
      from: PRESET_MS[spec.preset] >= HOUR_BUCKETS_FROM_MS ? Math.floor(from / HOUR_MS) * HOUR_MS : from,
      to: end,
    }
  }
  if (!run) return { from: end - PRESET_MS['5m'], to: end }
  const to = run.stoppedAt === null ? end : Math.ceil((run.stoppedAt + 1) / 1000) * 1000
  const from = Math.max(Math.floor(run.startedAt / 1000) * 1000, to - MAX_RUN_WINDOW_MS)
  return { from, to: Math.max(to, from + 1000) }
}

/** Bucket widths that read well on an axis, in seconds: up to an hour, then hours, then days. */
const NICE_BUCKETS_S = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800,
  432_000, 604_800,
]

/** Points a time series may have before its buckets widen. */
export const MAX_SERIES_POINTS = 360

/**
 * Windows longer than this get whole-minute buckets. kpi_snapshot() serves those from the minute
 * rollups; narrower buckets read the 1 s rollups, and their latency trend then merges one
 * histogram per second and partition: about 0.75 s for an hour of 10 s buckets at ~280 trades/s
 * against 75 ms with 60 s buckets (sql/006).
 */
export const MINUTE_BUCKETS_ABOVE_MS = 30 * 60_000

/**
 * Windows of a day or more get whole-hour buckets: kpi_snapshot() then serves their whole hours
 * from the hour rollups (sql/012). A day in 5 min buckets from minute rollups took ~550 ms (a
 * million latency cells), too much for a view refreshed every second; in hours, ~20 ms.
 */
export const HOUR_BUCKETS_FROM_MS = DAY_MS

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b))

/**
 * Whether a window must be read in whole minutes: it starts before the 1 s rollups kept, which go
 * with the raw trades (postgres/rollup-retention.ts), so only the minute rollups hold it.
 * `oldestTradeAt` is the oldest trade kept (the storage status); null: nothing is known to be gone.
 */
export function needsMinutes(from: number, oldestTradeAt: number | null): boolean {
  return oldestTradeAt !== null && from < Math.floor(oldestTradeAt / DAY_MS) * DAY_MS
}

/**
 * The narrowest nice bucket width, a whole multiple of rate_interval_s (and of 60 s for a window
 * over MINUTE_BUCKETS_ABOVE_MS or when `minutesOnly`, of 3600 s from HOUR_BUCKETS_FROM_MS), that cuts the window into at
 * most MAX_SERIES_POINTS buckets: 1 s for 5 minutes, 60 s for an hour, 5 min for 23 hours, 1 h for
 * a day or a week, 2 h for 30 days. Without a nice fit, the least multiple that is wide enough.
 */
export function bucketSecondsFor(windowMs: number, rateIntervalS: number, minutesOnly = false): number {
  // whole hours from a day on: a preset's start on the hour (resolveWindow) keeps its buckets
  const spanMs = windowMs >= HOUR_BUCKETS_FROM_MS ? Math.floor(windowMs / HOUR_MS) * HOUR_MS : windowMs
  const need = Math.max(rateIntervalS, spanMs / 1000 / MAX_SERIES_POINTS)
  const base =
    windowMs >= HOUR_BUCKETS_FROM_MS ? 3600 : windowMs > MINUTE_BUCKETS_ABOVE_MS || minutesOnly ? 60 : 1
  const unit = (rateIntervalS * base) / gcd(rateIntervalS, base)
  const least = Math.ceil(need / unit) * unit
  // a nice width only when it is near: a week is a multiple of 7 s, but no bucket for 5 minutes
  return NICE_BUCKETS_S.find((b) => b >= need && b % unit === 0 && b < 2 * least) ?? least
}

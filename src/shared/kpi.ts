import { z } from 'zod'

/**
 * The eight KPIs of the assignment over one time window, as returned by the SQL function
 * kpi_snapshot(). All times are ms epochs (UTC); all values are numbers. Buckets are aligned to
 * epoch multiples of their width and cover [from, to) with no gaps: an empty bucket has 0.
 */

const ms = z.number().int()
const count = z.number().int().nonnegative()
const nullableNumber = z.number().nullable()

/** KPIs 1, 3, 4 and 6: per symbol over the window. */
export const symbolKpiSchema = z.object({
  symbol: z.string(),
  trades: count,
  avgVolume: z.number(),
  totalVolume: z.number(),
  avgPrice: z.number(),
  minPrice: z.number(),
  maxPrice: z.number(),
  priceRange: z.number(),
})

/** KPI 2: one bucket of bucketS seconds. */
export const rateBucketSchema = z.object({ start: ms, trades: count, perSecond: z.number() })

/** KPI 2 per symbol: trades per second in each bucket, aligned with tradesPerSecond.buckets. */
export const symbolRateSchema = z.object({ symbol: z.string(), perSecond: z.array(z.number()) })

/** KPI 5: one data_loss_window_s bucket. `partial` = the bucket sticks out of [from, to). */
export const dataLossBucketSchema = z.object({
  start: ms,
  symbolsSeen: count,
  symbolsExpected: count,
  symbolsMissing: count,
  /** fewer symbols than expected in a whole bucket: never when partial (sql/009) */
  dataLoss: z.boolean(),
  partial: z.boolean(),
  /** the subscribed symbols (p_symbols) with no trade in the bucket, sorted */
  missing: z.array(z.string()),
})

/**
 * KPI 5 on a window of a day or more, one bucket of summary.bucketS: its whole data-loss windows; those
 * without a single trade (idle: the pipeline did not run); those with trades but fewer symbols than
 * symbols_subscribed (short); and the subscribed symbols missing from a window with trades.
 */
export const dataLossSummaryBucketSchema = z.object({
  start: ms,
  windows: count,
  idleWindows: count,
  shortWindows: count,
  missing: z.array(z.string()),
})

/** KPI 7: one bucket of bucketS seconds of the chosen symbol. */
export const volumeBucketSchema = z.object({ start: ms, volume: z.number(), trades: count })

/**
 * One candle of the chosen symbol (sql/016, kpi_candles): open and close are the first and last
 * trade by trade time (on one millisecond, the lower price opens and the higher one closes); null
 * when the bucket holds rollups older than sql/016 whose trades are gone (drawn as a gap). vwap is
 * sum(price × volume) / sum(volume), the plain mean price when the bucket's volume is 0, null when
 * unknown as open and close. Only buckets with trades are listed.
 */
export const candleSchema = z.object({
  start: ms,
  open: nullableNumber,
  high: z.number(),
  low: z.number(),
  close: nullableNumber,
  volume: z.number(),
  trades: count,
  vwap: nullableNumber,
})

/** The candles view: the volume trend's symbol, in the series' buckets. */
export const candlesSchema = z.object({
  symbol: z.string().nullable(),
  bucketS: z.number().positive(),
  buckets: z.array(candleSchema),
})

export const LATENCY_STAGES = [
  'trade_to_db',
  'trade_to_kafka',
  'kafka_to_consumer',
  'consumer_to_db',
  'kafka_to_db',
] as const
export type LatencyStage = (typeof LATENCY_STAGES)[number]

/**
 * KPI 8's percentiles come from log-bucketed histograms (sql/004): each order statistic is read as
 * the mean of its bucket, whose bounds differ by 5 %, so it is off by less than 5 % of itself, and
 * an interpolated percentile by less than 5 % of the larger neighbour's magnitude (5 % of itself
 * when both have one sign, as latencies do). Samples, avgMs and maxMs are exact.
 */
export const LATENCY_RELATIVE_ERROR = 0.05

/**
 * The bound for windows of a day or more, read from the hour rollups, whose cells span 4 keys: ratio
 * 1.05^4 (sql/012). Samples, avgMs and maxMs stay exact.
 */
export const LATENCY_RELATIVE_ERROR_HOURS = 1.05 ** 4 - 1

/**
 * KPI 8, one stage: trade_to_db = traded_at→written_at ("timestamp"→"to_db"), trade_to_kafka =
 * traded_at→received_at, kafka_to_consumer = received_at→consumed_at, consumer_to_db =
 * consumed_at→written_at, kafka_to_db = received_at→written_at. Null when there are no samples.
 */
export const latencyStatsSchema = z.object({
  stage: z.enum(LATENCY_STAGES),
  samples: count,
  avgMs: nullableNumber,
  p50Ms: nullableNumber,
  p95Ms: nullableNumber,
  p99Ms: nullableNumber,
  maxMs: nullableNumber,
})

/**
 * KPI 8 over time, columnar to stay small: for each stage, p50/p95/p99 (ms) per bucket of
 * bucketS seconds, aligned with `start`; only buckets holding samples are listed.
 */
export const latencyTrendSchema = z.object({
  /**
   * The trend's bucket width: the series' bucketS, or from a day on a whole multiple of it, so that
   * there are at most 120 trend buckets (sql/014). Absent from the raw reference (kpi_snapshot_raw),
   * whose trend has the series' buckets.
   */
  bucketS: z.number().positive().optional(),
  start: z.array(ms),
  stages: z.array(
    z.object({
      stage: z.enum(LATENCY_STAGES),
      p50Ms: z.array(nullableNumber),
      p95Ms: z.array(nullableNumber),
      p99Ms: z.array(nullableNumber),
    }),
  ),
})

export const kpiSnapshotSchema = z.object({
  from: ms,
  to: ms,
  rateIntervalS: z.number().positive(),
  /** width of the time-series buckets (KPIs 2, 7, 8 over time): rate_interval_s, or wider for a long window */
  bucketS: z.number().positive(),
  dataLossWindowS: z.number().positive(),
  symbolsSubscribed: count,
  totalTrades: count,
  /** rejects stored with rejected_at in [from, to) */
  rejects: count,
  symbols: z.array(symbolKpiSchema),
  tradesPerSecond: z.object({
    average: z.number(),
    buckets: z.array(rateBucketSchema),
    bySymbol: z.array(symbolRateSchema),
  }),
  /**
   * lossWindows: the windows with dataLoss. From a day on, buckets is empty and summary counts them
   * per summary.bucketS instead (sql/012): a month would be 86,400 bars. summary.bucketS is whole
   * hours, at least the series' bucketS, and wide enough for at most 120 buckets (sql/014).
   */
  dataLoss: z.object({
    lossWindows: count,
    buckets: z.array(dataLossBucketSchema),
    summary: z
      .object({ bucketS: z.number().positive(), buckets: z.array(dataLossSummaryBucketSchema) })
      .optional(),
  }),
  /** the requested symbol, else the window's most traded one; null when the window is empty */
  volumeTrend: z.object({ symbol: z.string().nullable(), buckets: z.array(volumeBucketSchema) }),
  latency: z.array(latencyStatsSchema),
  latencyTrend: latencyTrendSchema,
  /** OHLC of volumeTrend.symbol per bucketS, from kpi_candles() beside kpi_snapshot() */
  candles: candlesSchema,
})

export type SymbolKpi = z.infer<typeof symbolKpiSchema>
export type RateBucket = z.infer<typeof rateBucketSchema>
export type DataLossBucket = z.infer<typeof dataLossBucketSchema>
export type DataLossSummaryBucket = z.infer<typeof dataLossSummaryBucketSchema>
export type VolumeBucket = z.infer<typeof volumeBucketSchema>
export type LatencyStats = z.infer<typeof latencyStatsSchema>
export type SymbolRate = z.infer<typeof symbolRateSchema>
export type LatencyTrend = z.infer<typeof latencyTrendSchema>
export type Candle = z.infer<typeof candleSchema>
export type Candles = z.infer<typeof candlesSchema>
export type KpiSnapshot = z.infer<typeof kpiSnapshotSchema>

export interface KpiSnapshotRequest {
  /** ms epoch, inclusive */
  from: number
  /** ms epoch, exclusive */
  to: number
  /** symbol for the volume trend and the candles; default: the window's most traded symbol */
  symbol?: string
  /** bucket width in whole seconds for the time series; default rate_interval_s (never narrower) */
  bucketS?: number
  /** the subscribed symbols, to name the missing ones in each data-loss bucket; default none */
  symbols?: string[]
}

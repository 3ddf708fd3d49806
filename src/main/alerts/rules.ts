import type { KpiSnapshot } from '../../shared/kpi'
import type { AlertLevel, AlertRule, PipelineStatus } from '../../shared/status'
import type { Thresholds } from '../../shared/thresholds'
import { formatBytes } from '../../shared/storage'

/**
 * The alert conditions as pure functions of what the core already knows: the status, the
 * thresholds and the last five minutes' KPI snapshot. The AlertBook turns the conditions into
 * raised and cleared alerts; nothing here keeps state except DropWindow.
 */

export interface AlertInput {
  now: number
  /** the pipeline's state is 'running' */
  running: boolean
  /** when the current run started; null when unknown */
  runStartedAt: number | null
  status: PipelineStatus
  thresholds: Thresholds
  /** the last 5 minutes' snapshot; null when not yet known */
  recent: KpiSnapshot | null
  rejectsLastMinute: number | null
  /** producer drops within the last minute (see DropWindow) */
  droppedLastMinute: number
}

export interface AlertCondition {
  rule: AlertRule
  subject?: string
  level: AlertLevel
  message: string
}

/** The rules evaluateAlerts decides: an AlertBook clears any of these that no longer hold. */
export const CONDITION_RULES = [
  'data_loss',
  'silent_symbol',
  'latency',
  'rejects',
  'drops',
  'feed',
  'kafka_backlog',
] as const satisfies readonly AlertRule[]

const MINUTE_MS = 60_000

/** "10:00:30" of a ms epoch, in UTC: the UI localises times elsewhere. */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19)
}

/** Every condition that holds now; none while the pipeline is not running. */
export function evaluateAlerts(input: AlertInput): AlertCondition[] {
  if (!input.running) return []
  return [
    ...dataLoss(input),
    ...silentSymbols(input),
    ...latency(input),
    ...rejects(input),
    ...drops(input),
    ...feed(input),
    ...kafkaBacklog(input),
  ]
}

function dataLoss({ recent, runStartedAt }: AlertInput): AlertCondition[] {
  if (!recent) return []
  const width = recent.dataLossWindowS * 1000
  // Only windows seen whole: one cut by the range (partial), begun before the run or still open
  // may yet lack symbols that trade outside the part seen. A live window's `to` is the first whole
  // second after its query, so a bucket that ends at `to` was still open when read.
  const complete = recent.dataLoss.buckets.filter(
    (b) => !b.partial && b.start + width < recent.to && (runStartedAt === null || b.start >= runStartedAt),
  )
  const latest = complete.reduce<(typeof complete)[number] | null>(
    (a, b) => (a === null || b.start > a.start ? b : a),
    null,
  )
  if (!latest || latest.symbolsSeen >= latest.symbolsExpected) return []
  const missing = latest.missing.length > 0 ? `; missing: ${latest.missing.join(', ')}` : ''
  return [
    {
      rule: 'data_loss',
      level: 'warn',
      message:
        `Data loss: ${latest.symbolsSeen} of ${latest.symbolsExpected} symbols in the ` +
        `${recent.dataLossWindowS} s window from ${utcTime(latest.start)} UTC${missing}`,
    },
  ]
}

/** The end of the last bucket in which each symbol traded, from the per-symbol rate series. */
export function lastSeenBySymbol(snap: KpiSnapshot): Map<string, number> {
  const starts = snap.tradesPerSecond.buckets.map((b) => b.start)
  const seen = new Map<string, number>()
  for (const { symbol, perSecond } of snap.tradesPerSecond.bySymbol) {
    for (let i = Math.min(perSecond.length, starts.length) - 1; i >= 0; i--) {
      if ((perSecond[i] ?? 0) > 0) {
        seen.set(symbol, (starts[i] ?? 0) + snap.bucketS * 1000)
        break
      }
    }
  }
  return seen
}

function silentSymbols({ recent, runStartedAt, now, status, thresholds }: AlertInput): AlertCondition[] {
  if (!recent) return []
  const windowS = thresholds.data_loss_window_s
  const seen = lastSeenBySymbol(recent)
  const out: AlertCondition[] = []
  for (const symbol of status.symbols) {
    const last = seen.get(symbol)
    // No trade in the snapshot: silent since the run began, or at least since the snapshot began.
    if (last === undefined && runStartedAt === null) continue
    const clipped = last === undefined && runStartedAt !== null && runStartedAt < recent.from
    // A trade from an earlier run does not count against this one.
    const since = Math.max(last ?? recent.from, runStartedAt ?? -Infinity)
    const silentMs = now - since
    if (silentMs <= windowS * 1000) continue
    const secs = Math.round(silentMs / 1000)
    out.push({
      rule: 'silent_symbol',
      subject: symbol,
      level: 'warn',
      message: `${symbol}: no trades for ${clipped ? 'over ' : ''}${secs} s (window ${windowS} s)`,
    })
  }
  return out
}

/** The highest trade → database p95 of the trend buckets that start within the last minute. */
export function recentP95(snap: KpiSnapshot, now: number): number | null {
  const stage = snap.latencyTrend.stages.find((s) => s.stage === 'trade_to_db')
  if (!stage) return null
  let max: number | null = null
  snap.latencyTrend.start.forEach((start, i) => {
    const p95 = stage.p95Ms[i]
    if (start >= now - MINUTE_MS && p95 !== null && p95 !== undefined && (max === null || p95 > max)) {
      max = p95
    }
  })
  return max
}

function latency({ recent, now, thresholds }: AlertInput): AlertCondition[] {
  if (!recent) return []
  const p95 = recentP95(recent, now)
  const limit = thresholds.latency_alert_ms
  if (p95 === null || p95 <= limit) return []
  return [
    {
      rule: 'latency',
      level: 'warn',
      message: `Latency: p95 from trade to database is ${Math.round(p95)} ms over the last minute (limit ${limit} ms)`,
    },
  ]
}

function rejects({ rejectsLastMinute, thresholds }: AlertInput): AlertCondition[] {
  const limit = thresholds.rejects_alert_per_min
  if (rejectsLastMinute === null || rejectsLastMinute < limit) return []
  return [
    {
      rule: 'rejects',
      level: 'warn',
      message: `Rejected ${rejectsLastMinute} frames or records in the last minute (limit ${limit}); see the rejects table`,
    },
  ]
}

function drops({ droppedLastMinute }: AlertInput): AlertCondition[] {
  if (droppedLastMinute <= 0) return []
  return [
    {
      rule: 'drops',
      level: 'error',
      message: `Dropped ${droppedLastMinute} trades in the last minute: Kafka is not keeping up and the buffer is full`,
    },
  ]
}

const FEED_OK = new Set(['open', 'done', 'idle'])

function feed({ status }: AlertInput): AlertCondition[] {
  const src = status.source
  if (!src || FEED_OK.has(src.state)) return []
  // The source's detail is token-free by contract (SourceStatus.detail).
  const detail = src.detail ?? src.state
  const tries = src.reconnects > 0 ? ` (${src.reconnects} reconnects so far)` : ''
  return [{ rule: 'feed', level: 'error', message: `Feed disconnected: ${detail}${tries}` }]
}

/** Share of retention.bytes at which the writer's backlog warns, and at which it is an error. */
export const BACKLOG_WARN_SHARE = 0.5
export const BACKLOG_ERROR_SHARE = 0.8

/**
 * The writer's lag near what the topic keeps: size retention deletes the oldest segments of a
 * partition beyond retention.bytes, read or not, so a backlog that reaches it loses records. The
 * bytes are an estimate (records behind × the mean record's size in the log); warn at half.
 */
function kafkaBacklog({ status }: AlertInput): AlertCondition[] {
  const b = status.backlog
  if (!b || b.recordBytes === null || b.retentionBytes === null) return []
  const bytes = b.partitionLag * b.recordBytes
  const share = bytes / b.retentionBytes
  if (share < BACKLOG_WARN_SHARE) return []
  return [
    {
      rule: 'kafka_backlog',
      level: share >= BACKLOG_ERROR_SHARE ? 'error' : 'warn',
      message:
        `Kafka backlog: the writer is ${b.partitionLag} records (~${formatBytes(bytes)}) behind on a ` +
        `partition, ${Math.round(share * 100)} % of the ${formatBytes(b.retentionBytes)} it keeps ` +
        `(retention.bytes); beyond that Kafka deletes records not yet written`,
    },
  ]
}

/**
 * Turns samples of the cumulative counters.dropped into "dropped within the last minute". The
 * counter is taken to start at 0 when first seen (make one per run, or call reset()); a counter
 * that goes down means a new run, and starts the window again.
 */
export class DropWindow {
  private samples: { at: number; value: number }[] = []

  constructor(private readonly windowMs = MINUTE_MS) {}

  /** Records a sample and returns the drops within the window that ends at it. */
  add(at: number, cumulative: number): number {
    const last = this.samples.at(-1)
    // A baseline of 0 just before the first sample, so drops before it are counted.
    if (!last || cumulative < last.value) this.samples = [{ at, value: 0 }]
    this.samples.push({ at, value: cumulative })
    return this.lastWindow(at)
  }

  /** Drops between the last sample at or before now − window (or the first) and the newest. */
  lastWindow(now: number): number {
    const cutoff = now - this.windowMs
    this.prune(cutoff)
    const first = this.samples[0]
    const last = this.samples.at(-1)
    // No sample after the cutoff: whatever was counted happened before the window.
    if (!first || !last || last.at <= cutoff) return 0
    return last.value - first.value
  }

  reset(): void {
    this.samples = []
  }

  /** Keeps one sample at or before the cutoff as the baseline; older ones are never needed again. */
  private prune(cutoff: number): void {
    let base = 0
    while ((this.samples[base + 1]?.at ?? Infinity) <= cutoff) base++
    if (base > 0) this.samples.splice(0, base)
  }
}

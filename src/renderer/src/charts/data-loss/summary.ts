import type { WindowSnapshot } from '@shared/contract'
import type { DataLossSummaryBucket } from '@shared/kpi'
import { formatAxisTime, formatNumber, formatTime } from '@renderer/format/format'
import { baseOption, type BarSeriesOption, type ViewOption } from '../option'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { themeColors } from '@renderer/theme/colors'
import { timeAxis, valueAxis } from '../axes'
import type { ChartContext } from '../types'

/** Missing symbols named in a tooltip before the rest are counted. */
const MAX_NAMED_MISSING = 10

/** The missing symbols as a tooltip names them: the first ten, then how many more. */
export function namedMissing(missing: readonly string[]): string {
  const named = missing.slice(0, MAX_NAMED_MISSING).join(', ')
  const more = missing.length - MAX_NAMED_MISSING
  return more > 0 ? `${named} and ${more} more` : named
}

/**
 * How one summary bucket is judged. SQL counted its whole windows only (sql/012), the rules of
 * judgeWindow: a window without a trade is idle (the pipeline did not run), never loss; a window
 * with trades but too few symbols is short. A bucket that has not ended while the run goes on is
 * in progress: its count can still grow.
 */
export interface SummaryJudgement {
  /** no window of the bucket had a trade */
  idle: boolean
  open: boolean
  short: number
}

export function judgeSummaryBucket(
  b: DataLossSummaryBucket,
  widthMs: number,
  snapshot: Pick<WindowSnapshot, 'at' | 'run'>,
): SummaryJudgement {
  const running = snapshot.run !== null && snapshot.run.stoppedAt === null
  return {
    idle: b.windows > 0 && b.idleWindows === b.windows,
    open: running && b.start + widthMs > snapshot.at,
    short: b.shortWindows,
  }
}

/**
 * KPI 5 over a window of a day or more: per bucket (an hour or more), how many data-loss windows
 * fell short of symbols_subscribed, with the symbols they missed in the tooltip. One bar per
 * bucket instead of one per window: a month of 30 s windows would be 86,400 bars.
 */
export function buildDataLossSummaryOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<BarSeriesOption> {
  const summary = snapshot.kpis.dataLoss.summary ?? { bucketS: 3600, buckets: [] }
  const { buckets } = summary
  const c = themeColors(ctx.theme)
  const width = summary.bucketS * 1000
  const windowS = snapshot.kpis.dataLossWindowS
  const n = (v: number): string => formatNumber(v, ctx.locale, 0)

  const formatter = (params: TooltipParams): string => {
    const b = buckets[firstParam(params)?.dataIndex ?? -1]
    if (!b) return ''
    const { idle, open, short } = judgeSummaryBucket(b, width, snapshot)
    const title = `${formatTime(b.start, ctx, true)} – ${formatAxisTime(b.start + width, ctx)}`
    if (idle) return tooltipHtml(title, [{ label: 'no trades: the pipeline was not running', value: '' }])
    const missing = namedMissing(b.missing)
    const active = b.windows - b.idleWindows
    return tooltipHtml(title, [
      {
        label: `short ${windowS} s windows`,
        value: `${n(short)} of ${n(active)}`,
        color: short > 0 ? c.warning : c.neutral,
      },
      ...(b.idleWindows > 0 ? [{ label: 'without trades (not running)', value: n(b.idleWindows) }] : []),
      ...(missing ? [{ label: 'missing in some', value: missing }] : []),
      ...(open ? [{ label: 'in progress: whole windows so far', value: '' }] : []),
    ])
  }

  const maxShort = Math.max(0, ...buckets.map((b) => b.shortWindows))
  return {
    ...baseOption(ctx),
    tooltip: { ...tooltipBase(ctx, 'item'), formatter },
    xAxis: timeAxis(ctx, snapshot.kpis.from, snapshot.kpis.to),
    yAxis: valueAxis(ctx, {
      name: 'short windows',
      min: 0,
      max: Math.max(maxShort, 1),
      minInterval: 1,
      formatter: n,
    }),
    series: [
      {
        id: 'short-windows',
        type: 'bar',
        name: 'Short windows',
        barCategoryGap: '15%',
        data: buckets.map((b) => {
          const { idle, open } = judgeSummaryBucket(b, width, snapshot)
          return {
            value: [b.start + width / 2, b.shortWindows],
            itemStyle: {
              color: b.shortWindows > 0 ? c.warning : c.neutral,
              opacity: open ? 0.5 : idle ? 0.3 : 1,
            },
          }
        }),
      },
    ],
  }
}

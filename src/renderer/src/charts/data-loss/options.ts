import type { WindowSnapshot } from '../../../../shared/contract'
import type { RunSpan } from '../../../../shared/windows'
import type { DataLossBucket } from '../../../../shared/kpi'
import { formatAxisTime, formatNumber, formatTime } from '../../format/format'
import {
  baseOption,
  firstParam,
  themeColors,
  timeAxis,
  tooltipBase,
  tooltipHtml,
  valueAxis,
  type BarSeriesOption,
  type TooltipParams,
  type ViewOption,
} from '../common'
import type { ChartContext } from '../types'

/** Missing symbols named in a tooltip before the rest are counted. */
const MAX_NAMED_MISSING = 10

/**
 * A window without a single trade outside the last run is "not running", not data loss: before
 * Start, nothing was subscribed. Inside the run (or with trades from an earlier run) it counts.
 */
export function isShort(b: DataLossBucket, widthMs: number, run: RunSpan | null): boolean {
  if (!b.dataLoss) return false
  if (b.symbolsSeen > 0) return true
  if (!run) return false
  return b.start + widthMs > run.startedAt && (run.stoppedAt === null || b.start < run.stoppedAt)
}

/** The windows that fell short of symbols_subscribed, as drawn (partial windows included). */
export function lossWindowCount(snapshot: WindowSnapshot): number {
  const width = snapshot.kpis.dataLossWindowS * 1000
  return snapshot.kpis.dataLoss.buckets.filter((b) => isShort(b, width, snapshot.run)).length
}

/** Runs of consecutive short windows as [start, end) ranges, so the markArea stays small. */
export function lossRuns(
  buckets: DataLossBucket[],
  widthMs: number,
  run: RunSpan | null,
): [number, number][] {
  const runs: [number, number][] = []
  for (const b of buckets) {
    if (!isShort(b, widthMs, run)) continue
    const last = runs[runs.length - 1]
    if (last && last[1] === b.start) last[1] = b.start + widthMs
    else runs.push([b.start, b.start + widthMs])
  }
  return runs
}

/**
 * KPI 5: the distinct symbols seen in each data_loss_window_s window against the threshold line
 * symbols_subscribed. Windows that fell short are drawn in the warning colour and shaded. Each bar
 * is centred on its window, so it covers exactly [start, start + width) on the time axis.
 */
export function buildDataLossOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<BarSeriesOption> {
  const { buckets } = snapshot.kpis.dataLoss
  const c = themeColors(ctx.theme)
  const width = snapshot.kpis.dataLossWindowS * 1000
  const maxSeen = Math.max(0, ...buckets.map((b) => b.symbolsSeen))

  const formatter = (params: TooltipParams): string => {
    const b = buckets[firstParam(params)?.dataIndex ?? -1]
    if (!b) return ''
    const short = isShort(b, width, snapshot.run)
    if (b.symbolsSeen === 0 && !short)
      return tooltipHtml(`${formatTime(b.start, ctx)} – ${formatAxisTime(b.start + width, ctx)}`, [
        { label: 'no trades: the pipeline was not running', value: '' },
      ])
    const named = b.missing.slice(0, MAX_NAMED_MISSING).join(', ')
    const more = b.missing.length - MAX_NAMED_MISSING
    const missing = more > 0 ? `${named} and ${more} more` : named
    return tooltipHtml(`${formatTime(b.start, ctx)} – ${formatAxisTime(b.start + width, ctx)}`, [
      {
        label: 'symbols seen',
        value: `${formatNumber(b.symbolsSeen, ctx.locale, 0)} of ${formatNumber(b.symbolsExpected, ctx.locale, 0)}`,
        color: short ? c.warning : c.neutral,
      },
      ...(short ? [{ label: 'data loss', value: '' }] : []),
      ...(missing ? [{ label: 'missing', value: missing }] : []),
      // a window cut by the edge of the range may miss symbols that traded outside it
      ...(b.partial ? [{ label: 'partial window', value: '' }] : []),
    ])
  }

  const first = buckets[0]?.start
  const last = buckets[buckets.length - 1]?.start
  return {
    ...baseOption(ctx),
    tooltip: { ...tooltipBase(ctx, 'item'), formatter },
    xAxis: timeAxis(
      ctx,
      Math.min(snapshot.kpis.from, first ?? snapshot.kpis.from),
      Math.max(snapshot.kpis.to, last === undefined ? snapshot.kpis.to : last + width),
    ),
    yAxis: valueAxis(ctx, {
      name: 'symbols',
      min: 0,
      max: Math.max(ctx.symbolsSubscribed, maxSeen, 1),
      minInterval: 1,
      formatter: (v) => formatNumber(v, ctx.locale, 0),
    }),
    series: [
      {
        id: 'symbols-seen',
        type: 'bar',
        name: 'Symbols seen',
        barCategoryGap: '15%',
        data: buckets.map((b) => ({
          value: [b.start + width / 2, b.symbolsSeen],
          itemStyle: {
            color: isShort(b, width, snapshot.run) ? c.warning : c.neutral,
            opacity: b.partial ? 0.5 : 1,
          },
        })),
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { type: 'dashed', color: c.text, width: 1 },
          label: {
            position: 'insideEndTop',
            color: c.muted,
            fontSize: 10,
            formatter: () => `subscribed ${formatNumber(ctx.symbolsSubscribed, ctx.locale, 0)}`,
          },
          data: [{ name: 'symbols_subscribed', yAxis: ctx.symbolsSubscribed }],
        },
        markArea: {
          silent: true,
          itemStyle: { color: c.warning, opacity: 0.12 },
          data: lossRuns(buckets, width, snapshot.run).map(([start, end]) => [
            { xAxis: start },
            { xAxis: end },
          ]),
        },
      },
    ],
  }
}

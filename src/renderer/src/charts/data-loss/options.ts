import type { WindowSnapshot } from '@shared/contract'
import type { DataLossBucket } from '@shared/kpi'
import { formatAxisTime, formatNumber, formatTime } from '@renderer/format/format'
import { baseOption, type BarSeriesOption, type ViewOption } from '../option'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { themeColors } from '@renderer/theme/colors'
import { timeAxis, valueAxis } from '../axes'
import type { ChartContext } from '../types'
import { buildDataLossSummaryOption, namedMissing } from './summary'

type BarItemStyle = NonNullable<BarSeriesOption['itemStyle']>

/** Diagonal stripes over an open window's bar. */
const IN_PROGRESS_DECAL = { dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: -Math.PI / 4 }

/**
 * How one data-loss window is judged. Only a window seen whole can be short: one still open (its
 * trades are still arriving) or one the range or the run covers in part (its symbols may trade
 * outside that part) is drawn, never counted. Right after Start, the first window is both.
 */
export interface WindowJudgement {
  /** no trade, and outside the last run: nothing was subscribed, so "not running", not loss */
  idle: boolean
  /** it had not ended when the snapshot's query ran, and the run goes on: in progress */
  open: boolean
  /** cut by the range (the SQL's partial) or by the run's start or stop */
  partial: boolean
  /** data loss: a whole, ended window that fell short of symbols_subscribed */
  short: boolean
}

export function judgeWindow(
  b: DataLossBucket,
  widthMs: number,
  snapshot: Pick<WindowSnapshot, 'at' | 'run'>,
): WindowJudgement {
  const end = b.start + widthMs
  const { run } = snapshot
  // With trades of an earlier run, a window outside the last one still counts.
  const inRun = run !== null && end > run.startedAt && (run.stoppedAt === null || b.start < run.stoppedAt)
  const idle = b.symbolsSeen === 0 && !inRun
  const ended = end <= snapshot.at
  const open = !ended && !idle && (run === null || run.stoppedAt === null)
  const cutByRun =
    run !== null && inRun && (b.start < run.startedAt || (run.stoppedAt !== null && end > run.stoppedAt))
  const partial = b.partial || cutByRun
  return { idle, open, partial, short: b.dataLoss && ended && !idle && !partial }
}

/** The windows that fell short of symbols_subscribed, as drawn: whole, ended windows only. */
export function lossWindowCount(snapshot: WindowSnapshot): number {
  const { summary } = snapshot.kpis.dataLoss
  if (summary) return summary.buckets.reduce((sum, b) => sum + b.shortWindows, 0)
  const width = snapshot.kpis.dataLossWindowS * 1000
  return snapshot.kpis.dataLoss.buckets.filter((b) => judgeWindow(b, width, snapshot).short).length
}

/** Runs of consecutive short windows as [start, end) ranges, so the markArea stays small. */
export function lossRuns(
  buckets: DataLossBucket[],
  widthMs: number,
  snapshot: Pick<WindowSnapshot, 'at' | 'run'>,
): [number, number][] {
  const runs: [number, number][] = []
  for (const b of buckets) {
    if (!judgeWindow(b, widthMs, snapshot).short) continue
    const last = runs[runs.length - 1]
    if (last && last[1] === b.start) last[1] = b.start + widthMs
    else runs.push([b.start, b.start + widthMs])
  }
  return runs
}

/**
 * KPI 5: the distinct symbols seen in each data_loss_window_s window against the threshold line
 * symbols_subscribed. Windows that fell short are drawn in the warning colour and shaded; an open
 * window is drawn hatched, as in progress. Each bar is centred on its window, so it covers exactly
 * [start, start + width) on the time axis.
 */
export function buildDataLossOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<BarSeriesOption> {
  // a day or more: a bar per hour or more, not per window
  if (snapshot.kpis.dataLoss.summary) return buildDataLossSummaryOption(snapshot, ctx)
  const { buckets } = snapshot.kpis.dataLoss
  const c = themeColors(ctx.theme)
  const width = snapshot.kpis.dataLossWindowS * 1000
  const maxSeen = Math.max(0, ...buckets.map((b) => b.symbolsSeen))

  const formatter = (params: TooltipParams): string => {
    const b = buckets[firstParam(params)?.dataIndex ?? -1]
    if (!b) return ''
    const { idle, open, partial, short } = judgeWindow(b, width, snapshot)
    const title = `${formatTime(b.start, ctx)} – ${formatAxisTime(b.start + width, ctx)}`
    if (idle) return tooltipHtml(title, [{ label: 'no trades: the pipeline was not running', value: '' }])
    const missing = namedMissing(b.missing)
    return tooltipHtml(title, [
      {
        label: 'symbols seen',
        value: `${formatNumber(b.symbolsSeen, ctx.locale, 0)} of ${formatNumber(b.symbolsExpected, ctx.locale, 0)}`,
        color: short ? c.warning : c.neutral,
      },
      ...(short ? [{ label: 'data loss', value: '' }] : []),
      // an open window's missing symbols may still trade before it ends
      ...(missing ? [{ label: open ? 'not seen yet' : 'missing', value: missing }] : []),
      ...(open ? [{ label: 'in progress: not counted until the window ends', value: '' }] : []),
      ...(!open && partial ? [{ label: 'partial window: not counted', value: '' }] : []),
    ])
  }

  // Open: lighter and hatched, "in progress"; partial: dimmed; short: the warning colour.
  const style = (b: DataLossBucket): BarItemStyle => {
    const { open, partial, short } = judgeWindow(b, width, snapshot)
    const color = short ? c.warning : c.neutral
    if (open) return { color, opacity: 0.35, decal: { ...IN_PROGRESS_DECAL, color: c.text } }
    return { color, opacity: partial ? 0.5 : 1 }
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
        data: buckets.map((b) => ({ value: [b.start + width / 2, b.symbolsSeen], itemStyle: style(b) })),
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
          data: lossRuns(buckets, width, snapshot).map(([start, end]) => [{ xAxis: start }, { xAxis: end }]),
        },
      },
    ],
  }
}

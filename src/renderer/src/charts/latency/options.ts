import type { WindowSnapshot } from '@shared/contract'
import type { LatencyStage } from '@shared/kpi'
import { formatMs, formatNumber, formatTime } from '@renderer/format/format'
import { baseOption, legendBase, type LineSeriesOption, type ViewOption } from '../option'
import { hasLonePoint } from '../series'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { themeColors } from '@renderer/theme/colors'
import { timeAxis, valueAxis, windowRange } from '../axes'
import type { ChartContext } from '../types'

/** The pipeline stages in words: a trade is traded, received (by Kafka), consumed, written. */
export const STAGE_LABELS: Record<LatencyStage, string> = {
  trade_to_db: 'traded → written',
  trade_to_kafka: 'traded → received',
  kafka_to_consumer: 'received → consumed',
  consumer_to_db: 'consumed → written',
  kafka_to_db: 'received → written',
}

/** Above this the axis counts seconds: "12 s" reads better than "12,000". */
export const SECONDS_AXIS_ABOVE_MS = 10_000

const PERCENTILES = [
  { id: 'p50', key: 'p50Ms' },
  { id: 'p95', key: 'p95Ms' },
  { id: 'p99', key: 'p99Ms' },
] as const

/**
 * KPI 8: p50, p95 and p99 of the chosen stage per bucket over time (only buckets holding samples
 * are listed; a null percentile is a gap). The seed's own measure, the mean from trade time to DB
 * write, is in the title, and a line on the chart when that stage is shown.
 */
export function buildLatencyOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<LineSeriesOption> {
  const { latencyTrend, latency } = snapshot.kpis
  const c = themeColors(ctx.theme)
  const colors = { p50: c.neutral, p95: c.neutralStrong, p99: c.warning }
  const stage = latencyTrend.stages.find((s) => s.stage === ctx.latencyStage)
  const starts = latencyTrend.start
  const column = (key: (typeof PERCENTILES)[number]['key']): (number | null)[] =>
    stage ? stage[key] : starts.map(() => null)
  // Only buckets with samples are listed: a null point after a gap breaks the line there, so a
  // stopped stretch is not drawn as a slope between its two ends.
  const step = (latencyTrend.bucketS ?? snapshot.kpis.bucketS) * 1000
  const rows: { t: number; i: number | null }[] = []
  starts.forEach((t, i) => {
    const prev = starts[i - 1]
    if (prev !== undefined && t - prev > step) rows.push({ t: prev + step, i: null })
    rows.push({ t, i })
  })
  const seedMean = latency.find((l) => l.stage === 'trade_to_db')?.avgMs ?? null
  const markMean = ctx.latencyStage === 'trade_to_db' && seedMean !== null

  const values = PERCENTILES.flatMap((p) => column(p.key)).filter((v): v is number => v !== null)
  const peak = Math.max(0, ...values, markMean && seedMean !== null ? seedMean : 0)
  const seconds = peak > SECONDS_AXIS_ABOVE_MS
  const axisLabel = (v: number): string =>
    seconds ? formatNumber(v / 1000, ctx.locale, 1) : formatNumber(v, ctx.locale, 0)

  const formatter = (params: TooltipParams): string => {
    const row = rows[firstParam(params)?.dataIndex ?? -1]
    if (!row || row.i === null) return ''
    const { t: start, i } = row
    return tooltipHtml(`${formatTime(start, ctx)} · ${STAGE_LABELS[ctx.latencyStage]}`, [
      ...PERCENTILES.map((p) => {
        const v = column(p.key)[i]
        return {
          label: p.id,
          value: v === null || v === undefined ? '–' : formatMs(v, ctx.locale),
          color: colors[p.id],
        }
      }),
    ])
  }

  const { min, max } = windowRange(snapshot, starts[0])
  return {
    ...baseOption(ctx, { legend: true }),
    legend: legendBase(ctx),
    title: {
      text: seedMean === null ? '' : `mean ${STAGE_LABELS.trade_to_db}: ${formatMs(seedMean, ctx.locale)}`,
      right: 0,
      top: 0,
      textStyle: { color: c.muted, fontSize: 10, fontWeight: 'normal' },
    },
    tooltip: { ...tooltipBase(ctx, 'axis'), formatter },
    xAxis: timeAxis(ctx, min, max),
    yAxis: valueAxis(ctx, { name: seconds ? 's' : 'ms', min: 0, formatter: axisLabel }),
    series: PERCENTILES.map((p): LineSeriesOption => {
      const ys = rows.map(({ i }) => (i === null ? null : (column(p.key)[i] ?? null)))
      return {
        id: p.id,
        type: 'line',
        name: p.id,
        color: colors[p.id],
        showSymbol: hasLonePoint(ys),
        symbolSize: 4,
        connectNulls: false,
        lineStyle: { width: p.id === 'p50' ? 2 : 1.5 },
        data: rows.map(({ t }, k) => [t, ys[k] ?? null]),
        ...(p.id === 'p50'
          ? {
              // always present (empty when not drawn), so a merge never keeps a stale line
              markLine: {
                silent: true,
                symbol: 'none',
                lineStyle: { type: 'dashed', color: c.text, width: 1 },
                label: {
                  position: 'insideStartTop',
                  color: c.muted,
                  fontSize: 10,
                  formatter: () => (seedMean === null ? '' : `mean ${formatMs(seedMean, ctx.locale)}`),
                },
                data: markMean && seedMean !== null ? [{ name: 'mean trade_to_db', yAxis: seedMean }] : [],
              },
            }
          : {}),
      }
    }),
  }
}

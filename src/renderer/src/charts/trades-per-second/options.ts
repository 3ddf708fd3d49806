import type { WindowSnapshot } from '@shared/contract'
import { formatCompact, formatNumber, formatTime } from '@renderer/format/format'
import { baseOption, legendBase, type LineSeriesOption, type ViewOption } from '../option'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { inSymbolOrder } from '../symbol-order'
import { themeColors } from '@renderer/theme/colors'
import { timeAxis, valueAxis, windowRange } from '../axes'
import type { ChartContext } from '../types'

/** Rows in the tooltip before the rest are summed up as "n more". */
const MAX_TOOLTIP_ROWS = 12

/**
 * KPI 2: trades per second in each bucket over time, for all symbols ("Total", neutral and bold)
 * and for each symbol in its colour. Points sit at their bucket's start.
 */
export function buildTradesPerSecondOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<LineSeriesOption> {
  const { buckets, bySymbol, average } = snapshot.kpis.tradesPerSecond
  const c = themeColors(ctx.theme)
  const perSymbol = inSymbolOrder(bySymbol, (s) => s.symbol, ctx.symbols)
  const starts = buckets.map((b) => b.start)
  const rate = (v: number): string => `${formatNumber(v, ctx.locale, 2)}/s`

  const formatter = (params: TooltipParams): string => {
    const i = firstParam(params)?.dataIndex ?? -1
    const bucket = buckets[i]
    if (!bucket) return ''
    const rows = perSymbol
      .map((s) => ({ symbol: s.symbol, value: s.perSecond[i] ?? 0 }))
      .filter((r) => r.value > 0)
      .sort((a, b) => b.value - a.value)
    const shown = rows.slice(0, MAX_TOOLTIP_ROWS).map((r) => ({
      label: r.symbol,
      value: rate(r.value),
      color: ctx.colorOf(r.symbol),
    }))
    const rest = rows.length - shown.length
    return tooltipHtml(formatTime(bucket.start, ctx), [
      {
        label: 'Total',
        value: `${rate(bucket.perSecond)} (${formatNumber(bucket.trades, ctx.locale, 0)} trades)`,
        color: c.neutralStrong,
      },
      ...shown,
      ...(rest > 0 ? [{ label: `${rest} more`, value: '' }] : []),
    ])
  }

  const line = (width: number): Partial<LineSeriesOption> => ({
    type: 'line',
    showSymbol: false,
    symbolSize: 4,
    lineStyle: { width },
    emphasis: { focus: 'series' },
  })

  const { min, max } = windowRange(snapshot, starts[0])
  return {
    ...baseOption(ctx, { legend: true }),
    legend: legendBase(ctx),
    tooltip: { ...tooltipBase(ctx, 'axis'), formatter },
    xAxis: timeAxis(ctx, min, max),
    yAxis: valueAxis(ctx, { name: 'trades/s', min: 0, formatter: (v) => formatCompact(v, ctx.locale) }),
    series: [
      {
        ...line(2),
        id: 'total',
        name: 'Total',
        color: c.neutralStrong,
        z: 3,
        data: buckets.map((b) => [b.start, b.perSecond]),
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { type: 'dotted', color: c.muted },
          label: {
            position: 'insideEndTop',
            color: c.muted,
            fontSize: 10,
            formatter: () => `avg ${rate(average)}`,
          },
          data: [{ name: 'average', yAxis: average }],
        },
      },
      ...perSymbol.map((s): LineSeriesOption => ({
        ...line(1.5),
        id: `sym:${s.symbol}`,
        name: s.symbol,
        color: ctx.colorOf(s.symbol),
        data: starts.map((start, i) => [start, s.perSecond[i] ?? 0]),
      })),
    ],
  }
}

import type { WindowSnapshot } from '@shared/contract'
import {
  formatAmount,
  formatAxisTime,
  formatCompact,
  formatNumber,
  formatTime,
} from '@renderer/format/format'
import { baseOption, type BarSeriesOption, type ViewOption } from '../option'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { themeColors } from '@renderer/theme/colors'
import { timeAxis, valueAxis } from '../axes'
import type { ChartContext } from '../types'

/**
 * KPI 7: the traded volume of one symbol per bucket over time, in that symbol's colour. The
 * series id stays 'volume' whichever symbol is picked, so a new pick replaces the bars in place.
 * Each bar is centred on its bucket, covering [start, start + bucketS).
 */
export function buildVolumeTrendOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<BarSeriesOption> {
  const { symbol, buckets } = snapshot.kpis.volumeTrend
  const c = themeColors(ctx.theme)
  const color = symbol === null ? c.neutral : ctx.colorOf(symbol)
  const width = snapshot.kpis.bucketS * 1000

  const formatter = (params: TooltipParams): string => {
    const b = buckets[firstParam(params)?.dataIndex ?? -1]
    if (!b || symbol === null) return ''
    return tooltipHtml(`${formatTime(b.start, ctx)} – ${formatAxisTime(b.start + width, ctx)}`, [
      { label: `${symbol} volume`, value: formatAmount(b.volume, ctx.locale), color },
      { label: 'trades', value: formatNumber(b.trades, ctx.locale, 0) },
    ])
  }

  const first = buckets[0]?.start
  const last = buckets[buckets.length - 1]?.start
  return {
    ...baseOption(ctx, { legend: true }),
    // the panel has the symbol picker; the chart still says whose volume it is
    title: {
      text: symbol ?? '',
      left: 0,
      top: 0,
      textStyle: { color, fontSize: 11, fontWeight: 600 },
    },
    tooltip: { ...tooltipBase(ctx, 'item'), formatter },
    xAxis: timeAxis(
      ctx,
      Math.min(snapshot.kpis.from, first ?? snapshot.kpis.from),
      Math.max(snapshot.kpis.to, last === undefined ? snapshot.kpis.to : last + width),
    ),
    yAxis: valueAxis(ctx, { name: 'volume', min: 0, formatter: (v) => formatCompact(v, ctx.locale) }),
    series: [
      {
        id: 'volume',
        type: 'bar',
        name: symbol ?? 'volume',
        color,
        barCategoryGap: '10%',
        data: buckets.map((b) => [b.start + width / 2, b.volume]),
      },
    ],
  }
}

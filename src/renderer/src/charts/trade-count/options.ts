import type { WindowSnapshot } from '@shared/contract'
import { formatNumber, formatPercent } from '@renderer/format/format'
import { baseOption, type PieSeriesOption, type ViewOption } from '../option'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { inSymbolOrder } from '../symbol-order'
import { themeColors } from '@renderer/theme/colors'
import type { ChartContext } from '../types'

/**
 * KPI 3: a pie of the number of trades per symbol (a count of rows, not a sum of ids). Symbols
 * without a trade are left out: a zero slice draws nothing but a stray label.
 */
export function buildTradeCountOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<PieSeriesOption> {
  const c = themeColors(ctx.theme)
  const symbols = inSymbolOrder(snapshot.kpis.symbols, (s) => s.symbol, ctx.symbols).filter(
    (s) => s.trades > 0,
  )
  const total = symbols.reduce((sum, s) => sum + s.trades, 0)
  const trades = new Map(symbols.map((s) => [s.symbol, s.trades]))

  const formatter = (params: TooltipParams): string => {
    const symbol = firstParam(params)?.name ?? ''
    const n = trades.get(symbol)
    if (n === undefined) return ''
    return tooltipHtml(symbol, [
      { label: 'trades', value: formatNumber(n, ctx.locale, 0), color: ctx.colorOf(symbol) },
      { label: 'share', value: formatPercent(total > 0 ? n / total : 0, ctx.locale) },
      { label: 'all symbols', value: formatNumber(total, ctx.locale, 0) },
    ])
  }

  return {
    ...baseOption(ctx, { cartesian: false }),
    tooltip: { ...tooltipBase(ctx, 'item'), formatter },
    series: [
      {
        id: 'trade-count',
        type: 'pie',
        name: 'Trades',
        radius: ['35%', '68%'],
        center: ['50%', '52%'],
        // clockwise from the top, in the panel's symbol order, so slices do not jump between ticks
        startAngle: 90,
        avoidLabelOverlap: true,
        itemStyle: { borderColor: c.tooltipBg, borderWidth: 1 },
        label: {
          color: c.text,
          fontSize: 10,
          formatter: (p: { name: string; value?: unknown }) =>
            `${p.name}  ${formatNumber(Number(p.value), ctx.locale, 0)}`,
        },
        labelLine: { length: 6, length2: 6 },
        data: symbols.map((s) => ({
          name: s.symbol,
          value: s.trades,
          itemStyle: { color: ctx.colorOf(s.symbol) },
        })),
      },
    ],
  }
}

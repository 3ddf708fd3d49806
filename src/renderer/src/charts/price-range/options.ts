import type { WindowSnapshot } from '@shared/contract'
import type { SymbolKpi } from '@shared/kpi'
import { formatCompact, formatNumber, formatPercent, formatPrice } from '@renderer/format/format'
import { logAxisMin } from '../avg-price/options'
import { baseBarSeries } from '../series'
import { baseOption, type BarSeriesOption, type ViewOption } from '../option'
import { categoryAxis, valueAxis } from '../axes'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { inSymbolOrder } from '../symbol-order'
import type { ChartContext } from '../types'

/** The range as a share of the low, in %: how far the price moved, comparable across symbols. */
export function rangePercent(s: Pick<SymbolKpi, 'minPrice' | 'priceRange'>): number {
  return s.minPrice > 0 ? (s.priceRange / s.minPrice) * 100 : 0
}

/**
 * KPI 6: a floating bar from each symbol's lowest to highest price: an invisible base of minPrice
 * stacked under a visible priceRange. 'normalised' draws the range as % of minPrice from zero.
 */
export function buildPriceRangeOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<BarSeriesOption> {
  const symbols = inSymbolOrder(snapshot.kpis.symbols, (s) => s.symbol, ctx.symbols)
  const scale = ctx.priceScale
  // a log axis cannot place zero or less: leave such a symbol out rather than break the axis
  const drawable = (s: SymbolKpi): boolean => scale !== 'log' || s.minPrice > 0
  const base = (s: SymbolKpi): number | null =>
    !drawable(s) ? null : scale === 'normalised' ? 0 : s.minPrice
  const span = (s: SymbolKpi): number | null =>
    !drawable(s) ? null : scale === 'normalised' ? rangePercent(s) : s.priceRange

  const formatter = (params: TooltipParams): string => {
    const s = symbols[firstParam(params)?.dataIndex ?? -1]
    if (!s) return ''
    return tooltipHtml(s.symbol, [
      { label: 'min', value: formatPrice(s.minPrice, ctx.locale) },
      { label: 'max', value: formatPrice(s.maxPrice, ctx.locale) },
      { label: 'range', value: formatPrice(s.priceRange, ctx.locale), color: ctx.colorOf(s.symbol) },
      { label: 'range / min', value: formatPercent(rangePercent(s) / 100, ctx.locale, 3) },
    ])
  }

  const yAxis =
    scale === 'normalised'
      ? valueAxis(ctx, { name: 'range, % of min', min: 0, formatter: (v) => formatNumber(v, ctx.locale, 2) })
      : valueAxis(ctx, {
          name: 'price',
          type: scale === 'log' ? 'log' : 'value',
          min: scale === 'log' ? logAxisMin(symbols.map((s) => s.minPrice)) : undefined,
          // linear: zoom onto the prices rather than start at zero (the base bar is invisible anyway)
          scale: scale === 'linear',
          formatter: (v) => formatCompact(v, ctx.locale),
        })

  return {
    ...baseOption(ctx),
    tooltip: { ...tooltipBase(ctx, 'item'), formatter },
    xAxis: categoryAxis(
      ctx,
      symbols.map((s) => s.symbol),
    ),
    yAxis,
    series: [
      baseBarSeries('range-base', 'range', symbols.map(base)),
      {
        id: 'range',
        type: 'bar',
        name: 'Price range',
        stack: 'range',
        barMaxWidth: 48,
        // a range of zero still shows as a hairline at its price
        barMinHeight: 2,
        data: symbols.map((s) => ({ value: span(s), itemStyle: { color: ctx.colorOf(s.symbol) } })),
      },
    ],
  }
}

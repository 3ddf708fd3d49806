import type { WindowSnapshot } from '@shared/contract'
import type { SymbolKpi } from '@shared/kpi'
import { formatCompact, formatNumber, formatPercent, formatPrice } from '@renderer/format/format'
import { baseBarSeries } from '../series'
import { baseOption, type BarSeriesOption, type ViewOption } from '../option'
import { categoryAxis, valueAxis } from '../axes'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { inSymbolOrder } from '../symbol-order'
import { themeColors } from '@renderer/theme/colors'
import type { ChartContext } from '../types'

/** Bar labels are drawn only while they fit. */
const MAX_LABELLED_BARS = 12

/**
 * Where the mean price sits within the symbol's own [min, max] over the window, in %: 0 = the low,
 * 100 = the high. A price that did not move sits at 50. This puts BTC (~60,000) and FX (~1) on
 * one scale without hiding either.
 */
export function pricePosition(s: Pick<SymbolKpi, 'avgPrice' | 'minPrice' | 'maxPrice'>): number {
  const range = s.maxPrice - s.minPrice
  if (!(range > 0)) return 50
  return Math.min(100, Math.max(0, ((s.avgPrice - s.minPrice) / range) * 100))
}

/** The lower end of a log axis: a decade under the smallest positive value, so every bar shows. */
export function logAxisMin(values: number[]): number | undefined {
  const positive = values.filter((v) => v > 0)
  if (positive.length === 0) return undefined
  return 10 ** (Math.floor(Math.log10(Math.min(...positive))) - 1)
}

/** KPI 4: a bar of the mean trade price per symbol, on a linear, log or normalised scale. */
export function buildAvgPriceOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<BarSeriesOption> {
  const symbols = inSymbolOrder(snapshot.kpis.symbols, (s) => s.symbol, ctx.symbols)
  const scale = ctx.priceScale
  const valueOf = (s: SymbolKpi): number | null => {
    if (scale === 'normalised') return pricePosition(s)
    // a log axis cannot place zero or less: leave the bar out rather than break the axis
    if (scale === 'log' && !(s.avgPrice > 0)) return null
    return s.avgPrice
  }
  const label = (v: number): string =>
    scale === 'normalised' ? formatPercent(v / 100, ctx.locale, 0) : formatPrice(v, ctx.locale)

  const formatter = (params: TooltipParams): string => {
    const s = symbols[firstParam(params)?.dataIndex ?? -1]
    if (!s) return ''
    return tooltipHtml(s.symbol, [
      { label: 'avg price', value: formatPrice(s.avgPrice, ctx.locale), color: ctx.colorOf(s.symbol) },
      { label: 'min', value: formatPrice(s.minPrice, ctx.locale) },
      { label: 'max', value: formatPrice(s.maxPrice, ctx.locale) },
      ...(scale === 'normalised'
        ? [{ label: 'position in range', value: formatPercent(pricePosition(s) / 100, ctx.locale) }]
        : []),
      { label: 'trades', value: formatNumber(s.trades, ctx.locale, 0) },
    ])
  }

  // ECharts starts log bars at 1, so a price under 1 would hang down and FX (~1.08) would be a
  // sliver: on a log axis each bar stands on an invisible base at the axis minimum instead.
  const axisMin = scale === 'log' ? logAxisMin(symbols.map((s) => s.avgPrice)) : undefined
  const baseOf = (v: number | null): number | null => (v === null ? null : (axisMin ?? 0))
  const shown = symbols.map(valueOf)
  const c = themeColors(ctx.theme)

  const yAxis =
    scale === 'normalised'
      ? valueAxis(ctx, { name: '% of range', min: 0, max: 100, formatter: (v) => `${v}` })
      : valueAxis(ctx, {
          name: 'price',
          type: scale === 'log' ? 'log' : 'value',
          min: axisMin,
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
      baseBarSeries('avg-price-base', 'avg-price', shown.map(baseOf)),
      {
        id: 'avg-price',
        type: 'bar',
        name: 'Average price',
        stack: 'avg-price',
        barMaxWidth: 48,
        label: {
          show: symbols.length <= MAX_LABELLED_BARS,
          position: 'top',
          fontSize: 9,
          color: c.muted,
          textBorderWidth: 0,
          formatter: (p: { dataIndex: number }) => {
            const v = shown[p.dataIndex]
            return v === null || v === undefined ? '' : label(v)
          },
        },
        data: symbols.map((s, i) => {
          const v = shown[i] ?? null
          return {
            value: v === null ? null : v - (baseOf(v) ?? 0),
            itemStyle: { color: ctx.colorOf(s.symbol) },
          }
        }),
      },
    ],
  }
}

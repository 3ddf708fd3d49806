import type { WindowSnapshot } from '@shared/contract'
import { formatAmount, formatNumber } from '@renderer/format/format'
import { baseOption, type FunnelSeriesOption, type ViewOption } from '../option'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { inSymbolOrder } from '../symbol-order'
import { themeColors } from '@renderer/theme/colors'
import type { ChartContext } from '../types'

/** KPI 1: a funnel of the mean volume per trade of each symbol, widest on top. */
export function buildAvgVolumeOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<FunnelSeriesOption> {
  const symbols = inSymbolOrder(snapshot.kpis.symbols, (s) => s.symbol, ctx.symbols)
  const bySymbol = new Map(symbols.map((s) => [s.symbol, s]))
  // A funnel maps [min, max] onto its widths and defaults max to 100: pin both to the data.
  const max = Math.max(0, ...symbols.map((s) => s.avgVolume))

  const formatter = (params: TooltipParams): string => {
    const s = bySymbol.get(firstParam(params)?.name ?? '')
    if (!s) return ''
    return tooltipHtml(s.symbol, [
      { label: 'avg volume', value: formatAmount(s.avgVolume, ctx.locale), color: ctx.colorOf(s.symbol) },
      { label: 'total volume', value: formatAmount(s.totalVolume, ctx.locale) },
      { label: 'trades', value: formatNumber(s.trades, ctx.locale, 0) },
    ])
  }

  return {
    ...baseOption(ctx, { cartesian: false }),
    tooltip: { ...tooltipBase(ctx, 'item'), formatter },
    series: [
      {
        id: 'avg-volume',
        type: 'funnel',
        name: 'Average volume',
        // labels sit to the right: a near-zero volume's sliver has no room for its own text
        left: '4%',
        right: '34%',
        top: 8,
        bottom: 8,
        min: 0,
        max: max > 0 ? max : 1,
        // near-zero volumes (crypto, FX) still get a visible sliver
        minSize: '6%',
        sort: 'descending',
        gap: 1,
        label: {
          position: 'right',
          color: themeColors(ctx.theme).text,
          fontSize: 10,
          formatter: (p: { name: string; value?: unknown }) =>
            `${p.name}  ${formatAmount(Number(p.value), ctx.locale)}`,
        },
        emphasis: { label: { fontSize: 11 } },
        data: symbols.map((s) => ({
          name: s.symbol,
          value: s.avgVolume,
          itemStyle: { color: ctx.colorOf(s.symbol) },
        })),
      },
    ],
  }
}

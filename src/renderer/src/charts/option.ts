import type {
  BarSeriesOption,
  CandlestickSeriesOption,
  FunnelSeriesOption,
  LineSeriesOption,
  PieSeriesOption,
} from 'echarts/charts'
import type {
  AxisPointerComponentOption,
  GridComponentOption,
  LegendComponentOption,
  MarkAreaComponentOption,
  MarkLineComponentOption,
  TitleComponentOption,
  TooltipComponentOption,
} from 'echarts/components'
import type { ComposeOption } from 'echarts/core'
import { themeColors } from '../theme/colors'
import type { ChartContext } from './types'

/**
 * What every view's option shares: its type, the root keys (dense grid, no animation: the data
 * moves every second) and the legend. Only types come from echarts here; echarts.ts registers the
 * matching charts and components.
 */

export type {
  BarSeriesOption,
  CandlestickSeriesOption,
  FunnelSeriesOption,
  LineSeriesOption,
  PieSeriesOption,
}

type ChartOption = ComposeOption<
  | BarSeriesOption
  | CandlestickSeriesOption
  | FunnelSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | AxisPointerComponentOption
  | GridComponentOption
  | LegendComponentOption
  | MarkAreaComponentOption
  | MarkLineComponentOption
  | TitleComponentOption
  | TooltipComponentOption
>
/** A view's option: every series in one array (replaceMerge: ['series'] swaps them as a whole). */
export type ViewOption<S> = Omit<ChartOption, 'series'> & { series: S[] }

/** Root keys of every option. useUTC makes the time axis place its ticks on UTC boundaries. */
export function baseOption(
  ctx: ChartContext,
  opts: { legend?: boolean; cartesian?: boolean } = {},
): Pick<ChartOption, 'animation' | 'useUTC' | 'textStyle' | 'grid' | 'backgroundColor'> {
  const root = {
    animation: false,
    useUTC: ctx.timeZone === 'utc',
    backgroundColor: 'transparent',
    textStyle: { color: themeColors(ctx.theme).text, fontSize: 11 },
  }
  if (opts.cartesian === false) return root
  return {
    ...root,
    grid: {
      left: 4,
      right: 12,
      top: opts.legend ? 30 : 18,
      bottom: 4,
      // keep axis labels and names inside the panel (the successor of containLabel in echarts 6)
      outerBoundsMode: 'same',
      outerBoundsContain: 'all',
    },
  }
}

export function legendBase(ctx: ChartContext): LegendComponentOption {
  const c = themeColors(ctx.theme)
  return {
    type: 'scroll',
    top: 0,
    left: 0,
    itemWidth: 10,
    itemHeight: 6,
    itemGap: 8,
    textStyle: { color: c.text, fontSize: 10 },
    pageTextStyle: { color: c.muted },
    pageIconColor: c.text,
    pageIconInactiveColor: c.axisLine,
  }
}

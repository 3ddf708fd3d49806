import type {
  TooltipComponentFormatterCallbackParams,
  XAXisComponentOption,
  YAXisComponentOption,
} from 'echarts'
import type { BarSeriesOption, FunnelSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts'
import type {
  GridComponentOption,
  LegendComponentOption,
  MarkAreaComponentOption,
  MarkLineComponentOption,
  TitleComponentOption,
  TooltipComponentOption,
} from 'echarts/components'
import type { ComposeOption, EChartsCoreOption } from 'echarts/core'
import type { WindowSnapshot } from '@shared/contract'
import { formatAxisTime } from '../format/format'
import type { ChartContext } from './types'

/**
 * What every view's option shares: theme colours, dense axes and grid, a confined tooltip, no
 * animation (the data moves every second). Only types come from echarts here; echarts.ts registers
 * the matching charts and components.
 */

export type { BarSeriesOption, FunnelSeriesOption, LineSeriesOption, PieSeriesOption }
export type TooltipParams = TooltipComponentFormatterCallbackParams

type ChartOption = ComposeOption<
  | BarSeriesOption
  | FunnelSeriesOption
  | LineSeriesOption
  | PieSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | MarkAreaComponentOption
  | MarkLineComponentOption
  | TitleComponentOption
  | TooltipComponentOption
>
/** A view's option: every series in one array (replaceMerge: ['series'] swaps them as a whole). */
export type ViewOption<S> = Omit<ChartOption, 'series'> & { series: S[] }

export interface ThemeColors {
  text: string
  muted: string
  axisLine: string
  splitLine: string
  tooltipBg: string
  tooltipBorder: string
  /** data loss, tail latency */
  warning: string
  /** series that belong to no symbol (totals, lag, windows without loss) */
  neutral: string
  neutralStrong: string
}

const LIGHT: ThemeColors = {
  text: '#24292f',
  muted: '#6e7079',
  axisLine: '#c8cad0',
  splitLine: '#ebedf0',
  tooltipBg: '#ffffff',
  tooltipBorder: '#d0d3d8',
  warning: '#e0572a',
  neutral: '#9aa5b1',
  neutralStrong: '#4b5563',
}

const DARK: ThemeColors = {
  text: '#d8d9da',
  muted: '#9fa7b3',
  axisLine: '#464c54',
  splitLine: '#2c3235',
  tooltipBg: '#1f2328',
  tooltipBorder: '#3d434b',
  warning: '#f0683a',
  neutral: '#6c7a89',
  neutralStrong: '#c7ccd3',
}

export function themeColors(theme: ChartContext['theme']): ThemeColors {
  return theme === 'dark' ? DARK : LIGHT
}

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

export function tooltipBase(ctx: ChartContext, trigger: 'item' | 'axis'): TooltipComponentOption {
  const c = themeColors(ctx.theme)
  return {
    trigger,
    confine: true,
    transitionDuration: 0,
    backgroundColor: c.tooltipBg,
    borderColor: c.tooltipBorder,
    textStyle: { color: c.text, fontSize: 11 },
    axisPointer: { type: trigger === 'axis' ? 'line' : 'none' },
  }
}

/**
 * A time x axis over [min, max], labelled in the chosen zone; a UTC axis says so once, in its name.
 * Over more than a day the labels carry the date: a week of bare clock times says nothing.
 */
export function timeAxis(ctx: ChartContext, min: number, max: number): XAXisComponentOption {
  const c = themeColors(ctx.theme)
  const withDate = max - min > 86_400_000
  return {
    type: 'time',
    min,
    max,
    name: ctx.timeZone === 'utc' ? 'UTC' : '',
    nameTextStyle: { color: c.muted, fontSize: 10 },
    axisLabel: {
      color: c.muted,
      fontSize: 10,
      hideOverlap: true,
      formatter: (v: number) => formatAxisTime(v, ctx, withDate),
    },
    axisLine: { lineStyle: { color: c.axisLine } },
    axisTick: { show: false },
    splitLine: { show: false },
  }
}

/** A value (or log) axis; min/max are always written so a merge never keeps a stale bound. */
export function valueAxis(
  ctx: ChartContext,
  opts: {
    name?: string
    type?: 'value' | 'log'
    formatter?: (v: number) => string
    min?: number
    max?: number
    minInterval?: number
    /** true: the axis need not include zero */
    scale?: boolean
  } = {},
): YAXisComponentOption {
  const c = themeColors(ctx.theme)
  return {
    type: opts.type ?? 'value',
    name: opts.name ?? '',
    min: opts.min,
    max: opts.max,
    minInterval: opts.minInterval,
    scale: opts.scale ?? false,
    nameTextStyle: { color: c.muted, fontSize: 10, align: 'left' },
    axisLabel: { color: c.muted, fontSize: 10, formatter: opts.formatter },
    axisLine: { show: false },
    splitLine: { lineStyle: { color: c.splitLine } },
  }
}

/** The plot width of a panel in the grid (1440 px screen, three columns), in px. */
const PANEL_PLOT_PX = 280

/**
 * A category x axis of symbols. Each label is truncated to its slot: a fixed 90 px overran the
 * ~70 px slots of four symbols, and hideOverlap then hid the last label (IC MARKETS:1) whole.
 */
export function categoryAxis(ctx: ChartContext, data: string[]): XAXisComponentOption {
  const c = themeColors(ctx.theme)
  return {
    type: 'category',
    data,
    axisLabel: {
      color: c.muted,
      fontSize: 10,
      interval: 0,
      hideOverlap: true,
      width: categoryLabelWidth(data.length),
      overflow: 'truncate',
    },
    axisLine: { lineStyle: { color: c.axisLine } },
    axisTick: { show: false },
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

/** Items in the panel's symbol order (ctx.symbols), unlisted ones after them by name. */
export function inSymbolOrder<T>(
  items: readonly T[],
  symbolOf: (item: T) => string,
  order: readonly string[],
): T[] {
  const rank = (s: string): number => {
    const i = order.indexOf(s)
    return i < 0 ? order.length : i
  }
  return [...items].sort((a, b) => {
    const sa = symbolOf(a)
    const sb = symbolOf(b)
    return rank(sa) - rank(sb) || (sa < sb ? -1 : sa > sb ? 1 : 0)
  })
}

/** Symbols come from a feed: never put them into tooltip HTML unescaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

/** Tooltip HTML: a bold heading and rows of "● label value"; every argument is escaped here. */
export function tooltipHtml(
  heading: string,
  rows: { label: string; value: string; color?: string }[],
): string {
  const lines = rows.map((r) => {
    const dot = r.color
      ? `<span style="display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:4px;background:${escapeHtml(r.color)}"></span>`
      : ''
    const value = r.value ? ` <b>${escapeHtml(r.value)}</b>` : ''
    return `<div>${dot}${escapeHtml(r.label)}${value}</div>`
  })
  return `<div style="font-weight:600">${escapeHtml(heading)}</div>${lines.join('')}`
}

/** The first data point named by the formatter's params (axis tooltips pass an array). */
export function firstParam(
  params: TooltipParams,
): { dataIndex: number; seriesId?: string; name: string } | null {
  const p = Array.isArray(params) ? params[0] : params
  if (!p || typeof p.dataIndex !== 'number') return null
  return { dataIndex: p.dataIndex, seriesId: p.seriesId, name: String(p.name ?? '') }
}

/**
 * The ids of an option's series. The component compares them with the previous update's: when they
 * differ, setOption needs replaceMerge: ['series'], or removed series would linger.
 */
export function seriesIds(option: EChartsCoreOption): string[] {
  const series: unknown = option.series
  const list: unknown[] = Array.isArray(series) ? series : series ? [series] : []
  return list.map((s) => String((s as { id?: unknown } | null)?.id ?? ''))
}

/** The x range of a time view: the window, widened to a partial first bucket that starts before it. */
export function windowRange(snapshot: WindowSnapshot, firstStart?: number): { min: number; max: number } {
  const { from, to } = snapshot.kpis
  return { min: firstStart === undefined ? from : Math.min(from, firstStart), max: to }
}

/**
 * The invisible lower part of a floating bar: stacked under the visible one, it lifts a range or
 * a log-axis bar off the axis. Silent, so tooltips and hover see only the visible bar.
 */
export function baseBarSeries(id: string, stack: string, data: (number | null)[]): BarSeriesOption {
  return {
    id,
    type: 'bar',
    name: 'base',
    stack,
    silent: true,
    tooltip: { show: false },
    itemStyle: { color: 'transparent' },
    emphasis: { disabled: true },
    barMaxWidth: 48,
    data,
  }
}

/** px per category label: its share of a panel's plot, between 36 and 90. */
export function categoryLabelWidth(count: number): number {
  return Math.max(36, Math.min(90, Math.floor(PANEL_PLOT_PX / Math.max(1, count)) - 6))
}

/**
 * Whether a line with gaps has a point with no neighbour to join (the only bucket of a long window,
 * or one between two gaps): ECharts draws such a point only as a symbol, so without one it is lost.
 */
export function hasLonePoint(values: readonly (number | null)[]): boolean {
  return values.some(
    (v, i) => v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null,
  )
}

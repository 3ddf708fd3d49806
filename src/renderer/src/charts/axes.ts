import type { XAXisComponentOption, YAXisComponentOption } from 'echarts'
import type { WindowSnapshot } from '@shared/contract'
import { formatAxisTime } from '../format/format'
import { themeColors } from '../theme/colors'
import type { ChartContext } from './types'

/** The axes of the views: time, value (or log) and symbol categories, dense and in theme colours. */

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

/** The x range of a time view: the window, widened to a partial first bucket that starts before it. */
export function windowRange(snapshot: WindowSnapshot, firstStart?: number): { min: number; max: number } {
  const { from, to } = snapshot.kpis
  return { min: firstStart === undefined ? from : Math.min(from, firstStart), max: to }
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

/** px per category label: its share of a panel's plot, between 36 and 90. */
export function categoryLabelWidth(count: number): number {
  return Math.max(36, Math.min(90, Math.floor(PANEL_PLOT_PX / Math.max(1, count)) - 6))
}

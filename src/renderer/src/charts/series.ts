import type { BarSeriesOption } from './option'

/** Helpers for the views' series: the hidden base of a floating bar, and a line's lone points. */

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

/**
 * Whether a line with gaps has a point with no neighbour to join (the only bucket of a long window,
 * or one between two gaps): ECharts draws such a point only as a symbol, so without one it is lost.
 */
export function hasLonePoint(values: readonly (number | null)[]): boolean {
  return values.some(
    (v, i) => v !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null,
  )
}

import type { WindowSnapshot } from '@shared/contract'
import { formatCompact, formatNumber, formatTime } from '@renderer/format/format'
import { baseOption, type LineSeriesOption, type ViewOption } from '../option'
import { firstParam, tooltipBase, tooltipHtml, type TooltipParams } from '../tooltip'
import { themeColors } from '@renderer/theme/colors'
import { timeAxis, valueAxis, windowRange } from '../axes'
import type { ChartContext } from '../types'

/**
 * Consumer lag (records the consumer group has yet to read) as sampled by the status tick, over the
 * window. The samples are the snapshot's own, at most one per bucket: nothing is kept between calls.
 */
export function buildConsumerLagOption(
  snapshot: WindowSnapshot,
  ctx: ChartContext,
): ViewOption<LineSeriesOption> {
  const { lag } = snapshot
  const c = themeColors(ctx.theme)

  const formatter = (params: TooltipParams): string => {
    const p = lag[firstParam(params)?.dataIndex ?? -1]
    if (!p) return ''
    return tooltipHtml(formatTime(p.at, ctx), [
      { label: 'lag', value: `${formatNumber(p.lag, ctx.locale, 0)} records`, color: c.neutralStrong },
    ])
  }

  const { min, max } = windowRange(snapshot)
  return {
    ...baseOption(ctx),
    tooltip: { ...tooltipBase(ctx, 'axis'), formatter },
    xAxis: timeAxis(ctx, min, max),
    yAxis: valueAxis(ctx, {
      name: 'records',
      min: 0,
      minInterval: 1,
      formatter: (v) => formatCompact(v, ctx.locale),
    }),
    series: [
      {
        id: 'lag',
        type: 'line',
        name: 'Consumer lag',
        color: c.neutralStrong,
        showSymbol: lag.length <= 1,
        symbolSize: 4,
        // lag holds between samples until the next one: a step, not a slope
        step: 'end',
        lineStyle: { width: 1.5 },
        areaStyle: { opacity: 0.15 },
        data: lag.map((p) => [p.at, p.lag]),
      },
    ],
  }
}

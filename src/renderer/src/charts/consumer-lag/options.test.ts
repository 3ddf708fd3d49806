import { describe, expect, it } from 'vitest'
import { themeColors } from '@renderer/theme/colors'
import type { TooltipParams } from '../tooltip'
import { makeContext, makeSnapshot, T0, tooltipText } from '../fixture'
import { buildConsumerLagOption } from './options'

const S = 1000

describe('consumer-lag options', () => {
  const option = buildConsumerLagOption(makeSnapshot(), makeContext({ theme: 'dark' }))

  it('draws the lag samples over the window', () => {
    expect(option.series).toHaveLength(1)
    expect(option.series[0]).toMatchObject({
      id: 'lag',
      type: 'line',
      color: themeColors('dark').neutralStrong,
    })
    expect(option.series[0]!.data).toEqual([
      [T0 + 10 * S, 0],
      [T0 + 40 * S, 120],
      [T0 + 70 * S, 35],
    ])
    expect(option.xAxis).toMatchObject({ type: 'time', min: T0, max: T0 + 105 * S })
    expect(option.yAxis).toMatchObject({ name: 'records', min: 0, minInterval: 1 })
  })

  it('uses the dark theme’s text colours', () => {
    expect(option.textStyle).toMatchObject({ color: themeColors('dark').text })
    expect(option.tooltip).toMatchObject({ backgroundColor: themeColors('dark').tooltipBg, confine: true })
  })

  it('gives the lag in records in the tooltip', () => {
    const formatter = (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    expect(tooltipText(formatter([{ dataIndex: 1 }] as TooltipParams))).toEqual([
      '12:00:40 PM UTC',
      'lag 120 records',
    ])
  })

  it('derives everything from the snapshot: a shorter lag list gives a shorter series', () => {
    const one = buildConsumerLagOption(makeSnapshot({}, [{ at: T0, lag: 7 }]), makeContext())
    expect(one.series[0]!.data).toEqual([[T0, 7]])
    expect(one.series[0]!.showSymbol).toBe(true)
  })
})

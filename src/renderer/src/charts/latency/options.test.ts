import { describe, expect, it } from 'vitest'
import { LATENCY_STAGES } from '@shared/kpi'
import type { TooltipParams } from '../tooltip'
import { makeContext, makeKpis, makeSnapshot, T0, tooltipText } from '../fixture'
import { buildLatencyOption, STAGE_LABELS } from './options'

const S = 1000
type Axis = { name: string; axisLabel: { formatter: (v: number) => string } }

describe('latency options', () => {
  it('labels every stage', () => {
    expect(Object.keys(STAGE_LABELS).sort()).toEqual([...LATENCY_STAGES].sort())
    expect(STAGE_LABELS.trade_to_db).toBe('traded → written')
    expect(STAGE_LABELS.kafka_to_consumer).toBe('received → consumed')
  })

  it('draws p50, p95 and p99 of the chosen stage over time', () => {
    const option = buildLatencyOption(makeSnapshot(), makeContext({ latencyStage: 'trade_to_db' }))
    expect(option.series.map((s) => s.id)).toEqual(['p50', 'p95', 'p99'])
    expect(option.series[0]!.data).toEqual([
      [T0, 190],
      [T0 + 30 * S, 210],
      [T0 + 60 * S, 205],
      [T0 + 90 * S, 200],
    ])
    expect(option.series[2]!.data).toEqual([
      [T0, 880],
      [T0 + 30 * S, 950],
      [T0 + 60 * S, 12_000],
      [T0 + 90 * S, 900],
    ])
  })

  it('marks the seed’s measure (mean traded → written) on its own stage, and titles it always', () => {
    const own = buildLatencyOption(makeSnapshot(), makeContext({ latencyStage: 'trade_to_db' }))
    expect(own.series[0]!.markLine).toMatchObject({ data: [{ yAxis: 250 }] })
    expect(own.title).toMatchObject({ text: 'mean traded → written: 250 ms' })
    const other = buildLatencyOption(makeSnapshot(), makeContext({ latencyStage: 'kafka_to_consumer' }))
    expect(other.series[0]!.markLine).toMatchObject({ data: [] })
    expect(other.title).toMatchObject({ text: 'mean traded → written: 250 ms' })
  })

  it('breaks the lines over a stretch without samples instead of sloping across it', () => {
    const kpis = makeKpis()
    const trend = { ...kpis.latencyTrend, start: [T0, T0 + 30 * S, T0 + 150 * S, T0 + 180 * S] }
    const option = buildLatencyOption(makeSnapshot({ latencyTrend: trend }), makeContext())
    expect(option.series[0]!.data).toEqual([
      [T0, 190],
      [T0 + 30 * S, 210],
      [T0 + 60 * S, null],
      [T0 + 150 * S, 205],
      [T0 + 180 * S, 200],
    ])
  })

  it('judges stretches by the trend’s own bucket width when it is wider than the series’', () => {
    const kpis = makeKpis()
    // 30 s series buckets, 90 s trend buckets (a long window): each bucket follows the last
    const trend = { ...kpis.latencyTrend, bucketS: 90, start: [T0, T0 + 90 * S, T0 + 180 * S, T0 + 360 * S] }
    const option = buildLatencyOption(makeSnapshot({ latencyTrend: trend }), makeContext())
    expect(kpis.bucketS).toBe(30)
    expect(option.series[0]!.data).toEqual([
      [T0, 190],
      [T0 + 90 * S, 210],
      [T0 + 180 * S, 205],
      [T0 + 270 * S, null],
      [T0 + 360 * S, 200],
    ])
  })

  it('shows a point with no neighbour as a symbol, else it is not drawn at all', () => {
    const kpis = makeKpis()
    // samples in the first two buckets and, after a gap, one more: that one stands alone
    const trend = { ...kpis.latencyTrend, start: [T0, T0 + 30 * S, T0 + 60 * S, T0 + 150 * S] }
    const alone = buildLatencyOption(makeSnapshot({ latencyTrend: trend }), makeContext())
    expect(alone.series.map((x) => x.showSymbol)).toEqual([true, true, true])
    // kafka_to_consumer's p99 has a null in its last bucket; the others join every point
    const joined = buildLatencyOption(makeSnapshot(), makeContext({ latencyStage: 'kafka_to_consumer' }))
    expect(joined.series.map((x) => x.showSymbol)).toEqual([false, false, false])
  })

  it('switches the axis to seconds above 10,000 ms', () => {
    const slow = buildLatencyOption(makeSnapshot(), makeContext({ latencyStage: 'trade_to_db' }))
    const y = slow.yAxis as Axis
    expect(y.name).toBe('s')
    expect(y.axisLabel.formatter(12_000)).toBe('12')
    expect(y.axisLabel.formatter(2_500)).toBe('2.5')
    const fast = buildLatencyOption(makeSnapshot(), makeContext({ latencyStage: 'kafka_to_consumer' }))
      .yAxis as Axis
    expect(fast.name).toBe('ms')
    expect(fast.axisLabel.formatter(12)).toBe('12')
  })

  it('leaves a gap for a null percentile and empty series for a stage without samples', () => {
    const option = buildLatencyOption(makeSnapshot(), makeContext({ latencyStage: 'kafka_to_consumer' }))
    expect(option.series[2]!.data).toEqual([
      [T0, 9],
      [T0 + 30 * S, 12],
      [T0 + 60 * S, 8],
      [T0 + 90 * S, null],
    ])
    const none = buildLatencyOption(makeSnapshot(), makeContext({ latencyStage: 'consumer_to_db' }))
    expect(none.series[0]!.data).toEqual([
      [T0, null],
      [T0 + 30 * S, null],
      [T0 + 60 * S, null],
      [T0 + 90 * S, null],
    ])
  })

  it('has no title when nothing was written', () => {
    const latency = makeKpis().latency.map((l) => ({ ...l, avgMs: null }))
    expect(buildLatencyOption(makeSnapshot({ latency }), makeContext()).title).toMatchObject({ text: '' })
  })

  it('gives the stage and its percentiles in the tooltip', () => {
    const option = buildLatencyOption(
      makeSnapshot(),
      makeContext({ latencyStage: 'kafka_to_consumer', locale: 'de-DE' }),
    )
    const formatter = (option.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    expect(tooltipText(formatter([{ dataIndex: 3 }] as TooltipParams))).toEqual([
      '12:01:30 UTC · received → consumed',
      'p50 2 ms',
      'p95 5 ms',
      'p99 –',
    ])
    const slow = buildLatencyOption(makeSnapshot(), makeContext())
    const f2 = (slow.tooltip as { formatter: (p: TooltipParams) => string }).formatter
    expect(tooltipText(f2([{ dataIndex: 2 }] as TooltipParams)).slice(1)).toEqual([
      'p50 205 ms',
      'p95 470 ms',
      'p99 12 s',
    ])
  })
})

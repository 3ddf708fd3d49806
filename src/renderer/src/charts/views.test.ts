import { use, type EChartsType } from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import { afterEach, describe, expect, it } from 'vitest'
import { init } from './echarts'
import { emptySnapshot, makeContext, makeKpis, makeSnapshot } from './fixture'
import type { ChartContext } from './types'
import { VIEWS } from './views'

// Server-side rendering needs no DOM: it checks that ECharts, with only the charts and components
// echarts.ts registers, accepts every option the builders make.
use([SVGRenderer])

let charts: EChartsType[] = []
function chart(): EChartsType {
  const c = init(null, undefined, { renderer: 'svg', ssr: true, width: 480, height: 320 })
  charts.push(c)
  return c
}
afterEach(() => {
  for (const c of charts) c.dispose()
  charts = []
})

const UPDATE = { notMerge: false, lazyUpdate: false, replaceMerge: ['series'] }

describe('VIEWS', () => {
  it('lists the ten views in order with the assignment’s titles', () => {
    expect(VIEWS.map((v) => [v.id, v.title])).toEqual([
      ['avg-volume', 'Average volume per symbol'],
      ['trades-per-second', 'Trades per second'],
      ['trade-count', 'Trade count per symbol'],
      ['avg-price', 'Average price per symbol'],
      ['data-loss', 'Data loss'],
      ['price-range', 'Min/max price per symbol'],
      ['volume-trend', 'Volume trend of one symbol'],
      ['candles', 'Candles of one symbol'],
      ['latency', 'Pipeline latency'],
      ['consumer-lag', 'Consumer lag'],
    ])
    for (const v of VIEWS) {
      expect(v.definition.length).toBeGreaterThan(10)
      expect(v.howComputed.length).toBeGreaterThan(v.definition.length)
    }
  })

  it('is empty for an empty window and not for the fixture', () => {
    expect(VIEWS.filter((v) => v.isEmpty(makeSnapshot())).map((v) => v.id)).toEqual([])
    expect(VIEWS.filter((v) => !v.isEmpty(emptySnapshot())).map((v) => v.id)).toEqual([])
  })

  const contexts: [string, Partial<ChartContext>][] = [
    ['linear, light, UTC', {}],
    ['log, dark, local', { priceScale: 'log', theme: 'dark', timeZone: 'local', locale: 'de-DE' }],
    ['normalised', { priceScale: 'normalised', latencyStage: 'kafka_to_consumer' }],
  ]
  it.each(contexts)('renders every view with ECharts (%s)', (_, overrides) => {
    for (const view of VIEWS) {
      for (const snapshot of [makeSnapshot(), emptySnapshot()]) {
        const c = chart()
        c.setOption(view.build(snapshot, makeContext(overrides)), UPDATE)
        expect(c.renderToSVGString(), view.id).toMatch(/^<svg/)
      }
    }
  })

  it('draws the symbols’ labels (funnel)', () => {
    const c = chart()
    c.setOption(VIEWS[0]!.build(makeSnapshot(), makeContext()), UPDATE)
    expect(c.renderToSVGString()).toContain('BINANCE:BTCUSDT')
  })

  it('drops a symbol’s series when it leaves the snapshot (replaceMerge on series)', () => {
    const view = VIEWS.find((v) => v.id === 'trades-per-second')!
    const c = chart()
    c.setOption(view.build(makeSnapshot(), makeContext()), UPDATE)
    const kpis = makeKpis()
    const fewer = makeSnapshot({
      tradesPerSecond: { ...kpis.tradesPerSecond, bySymbol: kpis.tradesPerSecond.bySymbol.slice(0, 2) },
    })
    const next = view.build(fewer, makeContext())
    c.setOption(next, UPDATE)
    const series = (c.getOption() as { series: { id: string }[] }).series
    const ids = (next.series as { id: string }[]).map((s) => s.id)
    expect(series.map((s) => s.id)).toEqual(ids)
    expect(ids).toEqual(['total', 'sym:AAPL', 'sym:AMZN'])
  })

  it('leaves no stale axis type after a merge from log to linear', () => {
    const view = VIEWS.find((v) => v.id === 'avg-price')!
    const c = chart()
    c.setOption(view.build(makeSnapshot(), makeContext({ priceScale: 'log' })), UPDATE)
    c.setOption(view.build(makeSnapshot(), makeContext({ priceScale: 'linear' })), UPDATE)
    const y = (c.getOption() as { yAxis: { type: string; min?: unknown }[] }).yAxis[0]!
    expect(y.type).toBe('value')
    expect(y.min ?? null).toBeNull()
  })

  it('never accumulates data across updates', () => {
    const view = VIEWS.find((v) => v.id === 'consumer-lag')!
    const c = chart()
    for (let i = 0; i < 5; i++) c.setOption(view.build(makeSnapshot(), makeContext()), UPDATE)
    const series = (c.getOption() as { series: { data: unknown[] }[] }).series
    expect(series[0]!.data).toHaveLength(3)
  })
})

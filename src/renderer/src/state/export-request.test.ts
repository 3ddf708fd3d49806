import { describe, expect, it } from 'vitest'
import { exportHref } from '@shared/contract'
import { exportRequestFor, kpiTableOf, type ShownWindow } from './export-request'

const shown: ShownWindow = {
  shown: { from: 1_000, to: 301_000 },
  watch: { window: { preset: '5m' } },
  subscribed: ['AAPL', 'IC MARKETS:1'],
  volumeSymbol: 'AAPL',
}

describe('exportRequestFor', () => {
  it('exports the shown window and the subscribed symbols, and names no path', () => {
    const req = exportRequestFor('trades', shown, 999_999)
    expect(req).toEqual({ table: 'trades', from: 1_000, to: 301_000, symbols: ['AAPL', 'IC MARKETS:1'] })
    expect(req).not.toHaveProperty('path')
  })

  it('resolves the watched window before the first snapshot, and exports every symbol without a list', () => {
    const custom = { shown: null, watch: { window: { from: 5_000, to: 9_000 } }, subscribed: null }
    expect(exportRequestFor('trades', custom, 0)).toEqual({ table: 'trades', from: 5_000, to: 9_000 })
    const preset = exportRequestFor('trades', { ...custom, watch: { window: { preset: '5m' } } }, 600_000)
    expect(preset.to - preset.from).toBe(300_000)
  })

  it('keeps the volume trend on its symbol', () => {
    expect(exportRequestFor('volume-trend', shown, 0).symbol).toBe('AAPL')
    expect(exportRequestFor('symbols', shown, 0).symbol).toBeUndefined()
  })

  it('becomes a download link that keeps odd symbols intact', () => {
    const href = exportHref(exportRequestFor('trades', shown, 0))
    expect(href).toBe('/export/trades.csv?from=1000&to=301000&symbols=AAPL%2CIC+MARKETS%3A1')
    const q = new URLSearchParams(href.split('?')[1])
    expect(q.get('symbols')?.split(',')).toEqual(['AAPL', 'IC MARKETS:1'])
    expect(exportHref(exportRequestFor('data-loss', shown, 0))).toMatch(/^\/export\/kpi\/data-loss\.csv\?/)
  })
})

describe('kpiTableOf', () => {
  it('maps each KPI view to its table, and consumer lag to none', () => {
    expect(kpiTableOf('avg-price')).toBe('symbols')
    expect(kpiTableOf('trade-count')).toBe('symbols')
    expect(kpiTableOf('data-loss')).toBe('data-loss')
    expect(kpiTableOf('latency')).toBe('latency')
    expect(kpiTableOf('consumer-lag')).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import { emptyMessage, isStale, panelState } from './panel-state'

const base = { hasSnapshot: true, isEmpty: false, error: null, stale: false }

describe('panelState', () => {
  it('is loading until the first snapshot', () => {
    expect(panelState({ ...base, hasSnapshot: false })).toBe('loading')
  })
  it('shows an error before anything else', () => {
    expect(panelState({ ...base, hasSnapshot: false, error: 'boom' })).toBe('error')
    expect(panelState({ ...base, stale: true, error: 'boom' })).toBe('error')
  })
  it('is stale over empty and ready', () => {
    expect(panelState({ ...base, stale: true })).toBe('stale')
    expect(panelState({ ...base, stale: true, isEmpty: true })).toBe('stale')
  })
  it('is empty or ready', () => {
    expect(panelState({ ...base, isEmpty: true })).toBe('empty')
    expect(panelState(base)).toBe('ready')
  })
})

describe('isStale', () => {
  it('is stale while reconnecting', () => {
    expect(isStale('reconnecting', 'stopped', null)).toBe(true)
  })
  it('is stale when the source is not open while running', () => {
    expect(isStale('open', 'running', 'reconnecting')).toBe(true)
    expect(isStale('open', 'running', 'open')).toBe(false)
    expect(isStale('open', 'stopped', null)).toBe(false)
    expect(isStale('connecting', 'starting', 'connecting')).toBe(false)
  })
})

describe('emptyMessage', () => {
  it('says what to do', () => {
    expect(emptyMessage('stopped', false)).toBe('No trades yet: press Start')
    expect(emptyMessage('failed', false)).toBe('No trades yet: press Start')
    expect(emptyMessage(null, false)).toBe('No trades yet: press Start')
    expect(emptyMessage('running', false)).toBe('Waiting for trades…')
    expect(emptyMessage('starting', true)).toBe('Waiting for trades…')
    expect(emptyMessage('stopped', true)).toBe('No trades in this window')
  })
})

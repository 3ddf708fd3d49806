import { describe, expect, it } from 'vitest'
import {
  canEditSource,
  isFocusSymbolShortcut,
  isStartStopShortcut,
  startStopAction,
  stateWord,
} from './pipeline-view'

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods,
})

describe('pipeline view', () => {
  it('shows failed as error', () => {
    expect(stateWord('failed')).toBe('error')
    expect(stateWord('draining')).toBe('draining')
  })
  it('starts when stopped or failed, stops otherwise', () => {
    expect(startStopAction(null)).toBe('start')
    expect(startStopAction('failed')).toBe('start')
    expect(startStopAction('stopped')).toBe('start')
    expect(startStopAction('starting')).toBe('stop')
    expect(startStopAction('running')).toBe('stop')
    expect(canEditSource('running')).toBe(false)
    expect(canEditSource('stopped')).toBe(true)
  })
  it('knows its shortcuts', () => {
    expect(isStartStopShortcut(key('Enter', { ctrlKey: true }))).toBe(true)
    expect(isStartStopShortcut(key('Enter', { metaKey: true }))).toBe(true)
    expect(isStartStopShortcut(key('Enter'))).toBe(false)
    expect(isFocusSymbolShortcut(key('/'), 'BODY', false)).toBe(true)
    expect(isFocusSymbolShortcut(key('/'), 'INPUT', false)).toBe(false)
    expect(isFocusSymbolShortcut(key('/'), 'DIV', true)).toBe(false)
    expect(isFocusSymbolShortcut(key('/', { ctrlKey: true }), 'BODY', false)).toBe(false)
  })
})

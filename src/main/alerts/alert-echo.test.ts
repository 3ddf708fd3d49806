import { describe, expect, it } from 'vitest'
import type { Alert } from '../../shared/status'
import { AlertEcho } from './alert-echo'

const silent = (secs: number, patch: Partial<Alert> = {}): Alert => ({
  id: 'silent_symbol:AAPL',
  rule: 'silent_symbol',
  level: 'warn',
  message: `AAPL: no trades for ${secs} s (window 30 s)`,
  at: 1_000,
  clearedAt: null,
  ...patch,
})

describe('AlertEcho', () => {
  it('prints a rising alert once, not each time its message counts on', () => {
    const echo = new AlertEcho()
    expect(echo.line(silent(31))).toBe('warn: AAPL: no trades for 31 s (window 30 s)')
    expect(echo.line(silent(32))).toBeNull()
    expect(echo.line(silent(33))).toBeNull()
  })

  it('prints a change of level and the clear', () => {
    const echo = new AlertEcho()
    echo.line(silent(31))
    expect(echo.line(silent(300, { level: 'error' }))).toMatch(/^error: /)
    expect(echo.line(silent(301, { level: 'error', clearedAt: 2_000 }))).toMatch(/^cleared: /)
    expect(echo.line(silent(31))).toMatch(/^warn: /) // a new episode is said again
  })

  it('prints every notice, each with an id of its own', () => {
    const echo = new AlertEcho()
    const notice = (id: string): Alert => ({ ...silent(0), id, rule: 'notice', message: 'broker restarted' })
    expect(echo.line(notice('notice:a'))).toBe('warn: broker restarted')
    expect(echo.line(notice('notice:b'))).toBe('warn: broker restarted')
  })
})

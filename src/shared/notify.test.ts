import { describe, expect, it } from 'vitest'
import { NOTIFY_EVERY_MS, NotificationGate, notificationText } from './notify'
import type { Alert } from './status'

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'silent_symbol:AAPL',
  rule: 'silent_symbol',
  level: 'warn',
  message: 'AAPL: no trades for 40 s',
  at: 1_000,
  clearedAt: null,
  ...over,
})

describe('NotificationGate', () => {
  it('admits a rising alert once: not its updates, not its clearing', () => {
    const gate = new NotificationGate()
    expect(gate.admit(alert(), 1_000, [])).toBe(true)
    expect(gate.admit(alert({ message: 'AAPL: no trades for 50 s' }), 11_000, [])).toBe(false)
    expect(gate.admit(alert({ clearedAt: 20_000 }), 20_000, [])).toBe(false)
    // a condition that holds for minutes keeps updating its message: still the one raise
    expect(gate.admit(alert({ message: 'AAPL: no trades for 200 s' }), 200_000, [])).toBe(false)
  })

  it('admits at most one per rule per minute, each rule on its own clock', () => {
    const gate = new NotificationGate()
    const t0 = 1_000
    expect(gate.admit(alert(), t0, [])).toBe(true)
    // another subject of the same rule, and the same one raised again, within the minute
    expect(gate.admit(alert({ id: 'silent_symbol:AMZN' }), t0 + 5_000, [])).toBe(false)
    expect(gate.admit(alert({ at: t0 + 30_000 }), t0 + 30_000, [])).toBe(false)
    // another rule is not held back
    expect(gate.admit(alert({ id: 'drops', rule: 'drops', at: t0 + 30_000 }), t0 + 30_000, [])).toBe(true)
    // a minute on, the rule may speak again
    const later = t0 + NOTIFY_EVERY_MS
    expect(gate.admit(alert({ id: 'silent_symbol:MSFT', at: later }), later, [])).toBe(true)
  })

  it('admits nothing of a rule the user turned off, and that does not use up its minute', () => {
    const gate = new NotificationGate()
    expect(gate.admit(alert(), 1_000, ['silent_symbol'])).toBe(false)
    expect(gate.admit(alert({ id: 'silent_symbol:AMZN' }), 2_000, [])).toBe(true)
  })
})

describe('notificationText', () => {
  it('titles with the rule as the settings name it, and says the alert', () => {
    expect(notificationText(alert())).toEqual({
      title: 'Tickflow: Silent symbol',
      body: 'AAPL: no trades for 40 s',
    })
  })
})

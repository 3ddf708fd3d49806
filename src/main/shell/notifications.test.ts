import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { NOTIFY_EVERY_MS } from '../../shared/notify'
import type { Alert, AlertRule } from '../../shared/status'
import { alertNotifier } from './notifications'

// Electron's Notification as a recording emitter: every one made, and whether it was shown.
class FakeNotification extends EventEmitter {
  static made: FakeNotification[] = []
  static supported = true
  static isSupported = (): boolean => FakeNotification.supported
  shown = false
  constructor(readonly options: { title?: string; body?: string; silent?: boolean }) {
    super()
    FakeNotification.made.push(this)
  }
  show(): void {
    this.shown = true
  }
}

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'data_loss',
  rule: 'data_loss',
  level: 'warn',
  message: 'Data loss: 2 of 4 symbols in the last window',
  at: 0,
  clearedAt: null,
  ...over,
})

function setUp(off: AlertRule[] = []) {
  FakeNotification.made = []
  FakeNotification.supported = true
  let now = 1_000
  const onClick = vi.fn()
  const notify = alertNotifier({
    Notification: FakeNotification as never,
    off: () => off,
    onClick,
    now: () => now,
  })
  return { notify, onClick, tick: (ms: number) => (now += ms), made: FakeNotification.made }
}

describe('alertNotifier', () => {
  it('shows one notification per rule per minute, for rising alerts only', () => {
    const { notify, tick, made } = setUp()
    notify(alert())
    notify(alert({ message: 'Data loss: 1 of 4 symbols' })) // the same raise, updated
    notify(alert({ clearedAt: 2_000 }))
    tick(10_000)
    notify(alert({ at: 11_000 })) // raised again within the minute
    notify(alert({ id: 'drops', rule: 'drops', level: 'error', message: 'Dropped 3 trades', at: 11_000 }))
    expect(made.map((n) => [n.options.title, n.shown])).toEqual([
      ['Tickflow: Data loss', true],
      ['Tickflow: Producer drops', true],
    ])
    expect(made[1]?.options.silent).toBe(false) // an error makes a sound; a warning does not
    tick(NOTIFY_EVERY_MS)
    notify(alert({ at: 80_000 }))
    expect(made).toHaveLength(3)
  })

  it('opens the window at the alerts list on a click', () => {
    const { notify, onClick, made } = setUp()
    notify(alert())
    made[0]?.emit('click')
    expect(onClick).toHaveBeenCalledWith(alert())
  })

  it('shows nothing for a rule turned off, nor where notifications are not supported', () => {
    const off = setUp(['data_loss'])
    off.notify(alert())
    expect(off.made).toHaveLength(0)
    const none = setUp()
    FakeNotification.supported = false
    none.notify(alert())
    expect(none.made).toHaveLength(0)
  })
})

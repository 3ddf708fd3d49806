import { describe, expect, it } from 'vitest'
import type { Alert } from '@shared/status'
import {
  activeCount,
  expireToasts,
  MAX_ALERTS,
  MAX_TOASTS,
  mergeAlerts,
  pushToast,
  TOAST_MS,
  toastFor,
} from './alerts'

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'latency',
  rule: 'latency',
  level: 'warn',
  message: 'p95 above 5 s',
  at: 1000,
  clearedAt: null,
  ...over,
})

describe('alerts', () => {
  it('replaces a raise with its clear and sorts newest first', () => {
    const list = mergeAlerts([], [alert(), alert({ id: 'drops', rule: 'drops', at: 2000 })])
    expect(list.map((a) => a.id)).toEqual(['drops', 'latency'])
    const cleared = mergeAlerts(list, [alert({ clearedAt: 3000 })])
    expect(cleared).toHaveLength(2)
    expect(cleared.find((a) => a.id === 'latency')?.clearedAt).toBe(3000)
    expect(activeCount(cleared)).toBe(1)
  })

  it('keeps a second raise of the same condition as a new entry', () => {
    const list = mergeAlerts([alert({ clearedAt: 1500 })], [alert({ at: 5000 })])
    expect(list).toHaveLength(2)
    expect(activeCount(list)).toBe(1)
  })

  it('toasts a notice once but never counts it as active', () => {
    const notice = alert({ id: 'notice:1-1', rule: 'notice', message: 'KPI snapshot failed' })
    expect(activeCount([notice, alert()])).toBe(1)
    expect(toastFor([], notice, 10)?.alert).toBe(notice)
    expect(toastFor([notice], notice, 10)).toBeNull()
  })

  it('is bounded', () => {
    const many = Array.from({ length: MAX_ALERTS + 10 }, (_, i) => alert({ id: `n${i}`, at: i }))
    const list = mergeAlerts([], many)
    expect(list).toHaveLength(MAX_ALERTS)
    expect(list[0]?.at).toBe(MAX_ALERTS + 9)
  })

  it('toasts only new raised alerts', () => {
    const known = [alert()]
    expect(toastFor(known, alert(), 0)).toBeNull()
    expect(toastFor(known, alert({ clearedAt: 2000 }), 0)).toBeNull()
    expect(toastFor(known, alert({ at: 4000 }), 7)).toMatchObject({ key: 'latency@4000', shownAt: 7 })
  })

  it('shows at most three toasts and expires them', () => {
    let toasts = [] as ReturnType<typeof pushToast>
    for (let i = 0; i < 5; i++)
      toasts = pushToast(toasts, { key: `k${i}`, alert: alert({ at: i }), shownAt: i * 1000 })
    expect(toasts.map((t) => t.key)).toEqual(['k2', 'k3', 'k4'])
    expect(toasts).toHaveLength(MAX_TOASTS)
    expect(expireToasts(toasts, 2000 + TOAST_MS).map((t) => t.key)).toEqual(['k3', 'k4'])
    expect(expireToasts(toasts, 0)).toBe(toasts)
  })
})

import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it, vi } from 'vitest'
import type { Alert } from '../../shared/status'
import { createTray, trayStateOf, type TrayPieces, type TrayState } from './tray'

// No Electron here: the tray, its menus and its images are recorded as the pieces hand them over.
function fakePieces() {
  const tray = { setImage: vi.fn(), setContextMenu: vi.fn(), setToolTip: vi.fn(), destroy: vi.fn() }
  const menus: MenuItemConstructorOptions[][] = []
  const pieces: TrayPieces = {
    createTray: vi.fn(() => tray) as never,
    buildMenu: vi.fn((t: MenuItemConstructorOptions[]) => {
      menus.push(t)
      return { items: t } as never
    }),
    image: (state: TrayState) => state as never,
  }
  /** the menu as last set on the tray */
  const menu = (): MenuItemConstructorOptions[] =>
    (tray.setContextMenu.mock.calls.at(-1)?.[0] as { items: MenuItemConstructorOptions[] }).items
  const click = (label: string): void => {
    const item = menu().find((i) => i.label === label)
    if (!item?.click)
      throw new Error(
        `no item "${label}" in ${menu()
          .map((i) => i.label)
          .join(', ')}`,
      )
    ;(item.click as () => void)()
  }
  return { tray, pieces, menus, menu, click }
}

const actions = () => ({
  open: vi.fn<() => void>(),
  start: vi.fn<() => void>(),
  stop: vi.fn<() => void>(),
  quit: vi.fn<() => void>(),
})

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'feed',
  rule: 'feed',
  level: 'error',
  message: 'Feed disconnected',
  at: 1,
  clearedAt: null,
  ...over,
})

describe('trayStateOf', () => {
  it('is alert while any alert holds or the pipeline failed, else running or stopped', () => {
    expect(trayStateOf('stopped', 0)).toBe('stopped')
    for (const s of ['starting', 'running', 'draining'] as const) expect(trayStateOf(s, 0)).toBe('running')
    expect(trayStateOf('running', 1)).toBe('alert')
    expect(trayStateOf('failed', 0)).toBe('alert')
  })
})

describe('the tray', () => {
  it('offers Open, Start and Quit, each doing its job', () => {
    const f = fakePieces()
    const a = actions()
    createTray(f.pieces, a)
    expect(f.menu().map((i) => i.label ?? i.type)).toEqual([
      'Tickflow: stopped',
      'separator',
      'Open Tickflow',
      'Start',
      'separator',
      'Quit',
    ])
    expect(f.menu()[0]?.enabled).toBe(false) // the state line
    f.click('Open Tickflow')
    f.click('Start')
    f.click('Quit')
    expect(a.open).toHaveBeenCalledOnce()
    expect(a.start).toHaveBeenCalledOnce()
    expect(a.quit).toHaveBeenCalledOnce()
    expect(a.stop).not.toHaveBeenCalled()
  })

  it('sets a new menu when an item changes (Start becomes Stop), and only then', () => {
    const f = fakePieces()
    const a = actions()
    const t = createTray(f.pieces, a)
    expect(f.tray.setContextMenu).toHaveBeenCalledTimes(1)
    t.status('running')
    expect(f.tray.setContextMenu).toHaveBeenCalledTimes(2)
    expect(f.menu()[0]?.label).toBe('Tickflow: running')
    // a status tick that changes nothing sets nothing: the indicator would rebuild its menu each second
    t.status('running')
    expect(f.tray.setContextMenu).toHaveBeenCalledTimes(2)
    f.click('Stop')
    expect(a.stop).toHaveBeenCalledOnce()
    t.status('draining')
    expect(f.menu().find((i) => i.label === 'Start')?.enabled).toBe(false)
  })

  it('shows the state in its icon: stopped, running, alert while one holds, running when it clears', () => {
    const f = fakePieces()
    const t = createTray(f.pieces, actions())
    expect(f.pieces.createTray).toHaveBeenCalledWith('stopped')
    t.status('running')
    t.alert(alert())
    t.alert(alert({ id: 'latency', rule: 'latency' }))
    expect(f.menu()[0]?.label).toBe('Tickflow: running, 2 alerts')
    t.alert(alert({ clearedAt: 5 }))
    // a notice never clears, so it never holds the icon at alert
    t.alert(alert({ id: 'notice-1', rule: 'notice' }))
    t.alert(alert({ id: 'latency', rule: 'latency', clearedAt: 6 }))
    expect(f.tray.setImage.mock.calls.map((c) => c[0])).toEqual(['running', 'alert', 'running'])
    expect(f.menu()[0]?.label).toBe('Tickflow: running')
  })
})

import { describe, expect, it, vi } from 'vitest'
import { hasTrayHost } from './tray-host'

const bus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' }

describe('hasTrayHost', () => {
  it('asks the session bus whether a StatusNotifierWatcher is there', async () => {
    const run = vi.fn(async () => '(true,)\n')
    expect(await hasTrayHost(run, bus, 'linux')).toBe(true)
    expect(run).toHaveBeenCalledWith('gdbus', expect.arrayContaining(['org.kde.StatusNotifierWatcher']))
    expect(await hasTrayHost(async () => '(false,)\n', bus, 'linux')).toBe(false)
  })

  it('without gdbus, goes by the desktop: plain GNOME has no tray, Ubuntu and the others do', async () => {
    const missing = async (): Promise<string> => {
      throw Object.assign(new Error('spawn gdbus ENOENT'), { code: 'ENOENT' })
    }
    const on = (desktop: string): Promise<boolean> =>
      hasTrayHost(missing, { ...bus, XDG_CURRENT_DESKTOP: desktop }, 'linux')
    expect(await on('GNOME')).toBe(false)
    expect(await on('ubuntu:GNOME')).toBe(true)
    expect(await on('KDE')).toBe(true)
    expect(await hasTrayHost(missing, {}, 'linux')).toBe(false) // no session bus at all
  })

  it('is always there on Windows and macOS', async () => {
    const run = vi.fn()
    expect(await hasTrayHost(run, {}, 'win32')).toBe(true)
    expect(run).not.toHaveBeenCalled()
  })
})

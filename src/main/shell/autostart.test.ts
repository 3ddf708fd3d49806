import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { autostartFile, desktopEntry, fileAutostart, launchCommand } from './autostart'

describe('autostartFile', () => {
  it('is under XDG_CONFIG_HOME when that is absolute, else ~/.config', () => {
    expect(autostartFile({}, '/home/ann')).toBe('/home/ann/.config/autostart/tickflow.desktop')
    expect(autostartFile({ XDG_CONFIG_HOME: '/cfg' }, '/home/ann')).toBe('/cfg/autostart/tickflow.desktop')
    // the spec says to ignore a relative one
    expect(autostartFile({ XDG_CONFIG_HOME: 'cfg' }, '/home/ann')).toBe(
      '/home/ann/.config/autostart/tickflow.desktop',
    )
  })
})

describe('launchCommand', () => {
  it('starts the AppImage file, the installed binary, or Electron with the app', () => {
    const base = { execPath: '/opt/Tickflow/tickflow', appPath: '/opt/Tickflow/resources/app.asar' }
    expect(launchCommand({ ...base, packaged: true, appImage: '/home/ann/Tickflow-1.0.AppImage' })).toEqual([
      '/home/ann/Tickflow-1.0.AppImage',
    ])
    expect(launchCommand({ ...base, packaged: true })).toEqual(['/opt/Tickflow/tickflow'])
    expect(launchCommand({ execPath: '/w/electron', appPath: '/w/tickflow', packaged: false })).toEqual([
      '/w/electron',
      '/w/tickflow',
    ])
  })
})

describe('desktopEntry', () => {
  it('starts hidden, quoting paths as the Desktop Entry spec says', () => {
    const entry = desktopEntry(['/home/ann/My Apps/Tickflow "1".AppImage', '/a\\b', '100%'])
    expect(entry).toMatch(/^\[Desktop Entry\]\nType=Application\nName=Tickflow\n/)
    const exec = /^Exec=(.*)$/m.exec(entry)?.[1]
    expect(exec).toBe('"/home/ann/My Apps/Tickflow \\\\"1\\\\".AppImage" "/a\\\\\\\\b" 100%% --hidden')
  })
})

describe('fileAutostart', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-autostart-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('writes the entry (making the folder) and removes it; removing twice is fine', async () => {
    const path = autostartFile({ XDG_CONFIG_HOME: dir }, '/nowhere')
    const a = fileAutostart(path, ['/opt/Tickflow/tickflow'])
    expect(await a.enabled()).toBe(false)
    await a.set(true)
    expect(await a.enabled()).toBe(true)
    expect(await readFile(path, 'utf8')).toContain('Exec=/opt/Tickflow/tickflow --hidden\n')
    expect((await stat(path)).mode & 0o777).toBe(0o644)
    await a.set(false)
    await a.set(false)
    expect(await a.enabled()).toBe(false)
    await expect(stat(path)).rejects.toThrow(/ENOENT/)
  })

  it('reads an entry the desktop turned off as off', async () => {
    const path = join(dir, 'tickflow.desktop')
    await writeFile(path, `${desktopEntry(['/x'])}`.replace('enabled=true', 'enabled=false'))
    expect(await fileAutostart(path, ['/x']).enabled()).toBe(false)
  })
})

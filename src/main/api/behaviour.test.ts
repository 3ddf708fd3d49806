import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { resolveSettings } from '../config'
import { openSettingsStore } from '../settings/store'
import { createBehaviour, type Autostart } from './behaviour'

const RUN = { source: 'demo' as const, symbols: ['MSFT', 'IC MARKETS:1'] }

describe('the behaviour settings', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-behaviour-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('start from their defaults: close to the tray, no start on open, every notification', async () => {
    const b = createBehaviour({ store: await openSettingsStore(dir) })
    await b.ready
    expect(b.current()).toEqual({
      closeToTray: true,
      startOnOpen: false,
      openAtLogin: null, // browser mode: no autostart entry to write
      notificationsOff: [],
    })
  })

  it('are kept for the next start, and stay out of the pipeline settings', async () => {
    const b = createBehaviour({ store: await openSettingsStore(dir) })
    await b.set({ closeToTray: false, startOnOpen: true, notificationsOff: ['latency', 'notice'] })
    const store = await openSettingsStore(dir)
    expect(store.warnings).toEqual([])
    expect(createBehaviour({ store }).current()).toMatchObject({
      closeToTray: false,
      startOnOpen: true,
      notificationsOff: ['latency', 'notice'],
    })
    expect(store.settings()).toEqual({})
    expect(() => resolveSettings({ dataDir: dir }, {}, store.settings())).not.toThrow()
  })

  it('resume a run that no Stop ended (a quit or a crash), only with startOnOpen on', async () => {
    const first = createBehaviour({ store: await openSettingsStore(dir) })
    await first.recordRun(RUN)
    // The process ends here without a Stop: whatever opens next finds the run on disk.
    const off = createBehaviour({ store: await openSettingsStore(dir) })
    expect(off.resumeRequest()).toBeNull()
    await off.set({ startOnOpen: true })
    const on = createBehaviour({ store: await openSettingsStore(dir) })
    expect(on.resumeRequest()).toEqual(RUN)
    // The user's Stop: nothing to resume any more.
    await on.clearRun()
    expect(createBehaviour({ store: await openSettingsStore(dir) }).resumeRequest()).toBeNull()
  })

  it('write and remove the autostart entry through Open at login, and read it back', async () => {
    let entry = false
    const autostart: Autostart = {
      enabled: vi.fn(async () => entry),
      set: vi.fn(async (on: boolean) => void (entry = on)),
    }
    const b = createBehaviour({ store: await openSettingsStore(dir), autostart })
    await b.ready
    expect(b.current().openAtLogin).toBe(false)
    expect((await b.set({ openAtLogin: true })).openAtLogin).toBe(true)
    expect(autostart.set).toHaveBeenLastCalledWith(true)
    expect((await b.set({ openAtLogin: false })).openAtLogin).toBe(false)
    // The entry on disk is the truth: one made by hand shows at the next start.
    entry = true
    const again = createBehaviour({ store: await openSettingsStore(dir), autostart })
    await again.ready
    expect(again.current().openAtLogin).toBe(true)
  })

  it('refuse Open at login where there is no desktop app, and save nothing of that change', async () => {
    const b = createBehaviour({ store: await openSettingsStore(dir) })
    await expect(b.set({ openAtLogin: true, closeToTray: false })).rejects.toThrow(/desktop app/)
    expect(b.current().closeToTray).toBe(true)
  })
})

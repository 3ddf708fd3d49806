import { beforeEach, describe, expect, it, vi } from 'vitest'
import { appLocation } from './trusted-url'
import { createMainWindow, persistWindowState } from './window'
import type { WindowState } from './window-state'

// No Electron binary here: BrowserWindow is an event emitter that records how it was made and used.
const electron = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- vi.hoisted runs before imports
  const { EventEmitter } = require('node:events') as typeof import('node:events')
  class BrowserWindow extends EventEmitter {
    static made: BrowserWindow[] = []
    destroyed = false
    maximized = false
    bounds = { x: 10, y: 20, width: 1300, height: 900 }
    loadURL = vi.fn(async (_url: string) => undefined)
    show = vi.fn()
    maximize = vi.fn(() => (this.maximized = true))
    constructor(readonly options: Record<string, unknown>) {
      super()
      BrowserWindow.made.push(this)
    }
    isDestroyed = (): boolean => this.destroyed
    isMaximized = (): boolean => this.maximized
    getNormalBounds = (): typeof this.bounds => ({ ...this.bounds })
  }
  return { BrowserWindow }
})
vi.mock('electron', () => electron)
type FakeWindow = InstanceType<typeof electron.BrowserWindow>

const app = appLocation({ packaged: true })

beforeEach(() => {
  electron.BrowserWindow.made = []
})

describe('createMainWindow', () => {
  it('opens where it was, hidden until painted, locked down, and loads only the app', () => {
    const win = createMainWindow({
      preload: '/out/preload/index.cjs',
      app,
      state: { x: 40, y: 30, width: 1400, height: 900, maximized: false },
    }) as unknown as FakeWindow
    expect(win.options).toMatchObject({ x: 40, y: 30, width: 1400, height: 900, show: false })
    expect(win.options.webPreferences).toMatchObject({
      preload: '/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    })
    expect(win.loadURL).toHaveBeenCalledWith('app://tickflow/')
    win.emit('ready-to-show')
    expect(win.show).toHaveBeenCalled()
    expect(win.maximize).not.toHaveBeenCalled()
  })

  it('comes back maximised when it was', () => {
    const win = createMainWindow({
      preload: '/p',
      app,
      state: { width: 1400, height: 900, maximized: true },
    }) as unknown as FakeWindow
    expect(win.options).not.toHaveProperty('maximized')
    win.emit('ready-to-show')
    expect(win.maximize).toHaveBeenCalled()
  })

  it('stays hidden when asked (Open at login), and maximises at its first show', () => {
    const win = createMainWindow({
      preload: '/p',
      app,
      state: { width: 1400, height: 900, maximized: true },
      hidden: true,
    }) as unknown as FakeWindow
    win.emit('ready-to-show')
    expect(win.show).not.toHaveBeenCalled()
    expect(win.maximize).not.toHaveBeenCalled()
    win.emit('show')
    expect(win.maximize).toHaveBeenCalledOnce()
  })
})

describe('persistWindowState', () => {
  const open = (): FakeWindow =>
    createMainWindow({ preload: '/p', app, state: { width: 1300, height: 900, maximized: false } }) as never

  it('saves the normal bounds and the maximised flag when the window closes', async () => {
    const win = open()
    const saved: WindowState[] = []
    persistWindowState(win as never, async (s) => void saved.push(s))
    win.maximized = true
    win.emit('close')
    expect(saved).toEqual([{ x: 10, y: 20, width: 1300, height: 900, maximized: true }])
  })

  it('on quit, saves while the window is open and waits for the write; closing later saves nothing more', async () => {
    const win = open()
    const saved: WindowState[] = []
    let written = (): void => undefined
    const flush = persistWindowState(
      win as never,
      (s) =>
        new Promise<void>((resolve) => {
          saved.push(s)
          written = resolve
        }),
    )
    let flushed = false
    const flushing = flush().then(() => (flushed = true))
    await Promise.resolve()
    expect(saved).toHaveLength(1)
    expect(flushed).toBe(false) // still writing
    written()
    await flushing
    win.emit('close')
    expect(saved).toHaveLength(1)
  })

  it('after the window closed, a flush waits for the save that close began', async () => {
    const win = open()
    let written = (): void => undefined
    const save = vi.fn(() => new Promise<void>((resolve) => (written = resolve)))
    const flush = persistWindowState(win as never, save)
    win.emit('close')
    win.destroyed = true
    let flushed = false
    const flushing = flush().then(() => (flushed = true))
    await Promise.resolve()
    expect(flushed).toBe(false)
    written()
    await flushing
    expect(save).toHaveBeenCalledOnce()
  })

  it('reports a failed save instead of throwing', async () => {
    const win = open()
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const flush = persistWindowState(win as never, () => Promise.reject(new Error('read-only file system')))
    await flush()
    expect(error).toHaveBeenCalledWith(expect.stringContaining('read-only file system'))
    error.mockRestore()
  })
})

import { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import { closeAction, closeToTray, type CloseFacts, type CloseToTrayOptions } from './close-to-tray'

const running: CloseFacts = { quitting: false, running: true, closeToTray: true, hasTray: true }

describe('closeAction', () => {
  it('hides to the tray only while running, with the setting on and a tray; asks where there is no tray', () => {
    expect(closeAction(running)).toBe('hide')
    expect(closeAction({ ...running, hasTray: false })).toBe('ask')
    expect(closeAction({ ...running, running: false })).toBe('close')
    expect(closeAction({ ...running, closeToTray: false })).toBe('close')
    expect(closeAction({ ...running, quitting: true })).toBe('close')
  })
})

describe('closeToTray', () => {
  // A window is an emitter of 'close' with a preventable event; hide and minimize are recorded.
  function setUp(facts: CloseFacts, over: Partial<CloseToTrayOptions> = {}) {
    const win = Object.assign(new EventEmitter(), { hide: vi.fn(), minimize: vi.fn() })
    let shown = false
    const opts = {
      facts: () => facts,
      noticeShown: () => shown,
      showNotice: vi.fn(() => void (shown = true)),
      ask: vi.fn(async (): Promise<'stop' | 'keep'> => 'keep'),
      stopAndQuit: vi.fn(),
      ...over,
    }
    closeToTray(win as never, opts)
    const close = (): boolean => {
      const event = { preventDefault: vi.fn() }
      win.emit('close', event)
      return event.preventDefault.mock.calls.length > 0
    }
    return { win, opts, close }
  }

  it('hides the window instead of closing it, and says so on the first close only', () => {
    const { win, opts, close } = setUp(running)
    expect(close()).toBe(true)
    expect(close()).toBe(true)
    expect(win.hide).toHaveBeenCalledTimes(2)
    expect(opts.showNotice).toHaveBeenCalledOnce()
  })

  it('lets the window close when stopped, with the setting off, or when quitting', () => {
    for (const facts of [
      { ...running, running: false },
      { ...running, closeToTray: false },
      { ...running, quitting: true },
    ]) {
      const { win, close } = setUp(facts)
      expect(close()).toBe(false)
      expect(win.hide).not.toHaveBeenCalled()
    }
  })

  it('without a tray, asks: keep collecting minimises, stop stops and quits', async () => {
    const keep = setUp({ ...running, hasTray: false })
    expect(keep.close()).toBe(true)
    // a second close while the question is open asks nothing more
    expect(keep.close()).toBe(true)
    await vi.waitFor(() => expect(keep.win.minimize).toHaveBeenCalledOnce())
    expect(keep.opts.ask).toHaveBeenCalledOnce()
    expect(keep.opts.stopAndQuit).not.toHaveBeenCalled()
    expect(keep.win.hide).not.toHaveBeenCalled()

    const stop = setUp({ ...running, hasTray: false }, { ask: vi.fn(async () => 'stop' as const) })
    stop.close()
    await vi.waitFor(() => expect(stop.opts.stopAndQuit).toHaveBeenCalledOnce())
    expect(stop.win.minimize).not.toHaveBeenCalled()
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  claimSingleInstance,
  drainMessage,
  drainOnQuit,
  drainWithin,
  focusWindow,
  type DrainOutcome,
} from './lifecycle'

// No Electron binary here: `app` is an event emitter that records quit and the instance lock.
const electron = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- vi.hoisted runs before imports
  const { EventEmitter } = require('node:events') as typeof import('node:events')
  const app = Object.assign(new EventEmitter(), {
    quit: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
  })
  return { app }
})
vi.mock('electron', () => electron)
const { app } = electron

const never = (): Promise<void> => new Promise(() => undefined)

/** Emits before-quit the way Electron does; true when a listener held the quit. */
function beforeQuit(): boolean {
  const event = { preventDefault: vi.fn() }
  app.emit('before-quit', event)
  return event.preventDefault.mock.calls.length > 0
}

/** Resolves on the next app.quit() call. */
const nextQuit = (): Promise<void> =>
  new Promise((resolve) => app.quit.mockImplementationOnce(() => resolve()))

const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') }

beforeEach(() => {
  vi.clearAllMocks()
  app.quit.mockReset()
  app.removeAllListeners()
})

afterEach(() => {
  // drainOnQuit adds signal listeners to the real process: take ours off again
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    for (const l of process.listeners(signal))
      if (!signalListeners[signal].includes(l)) process.off(signal, l)
})

describe('drainWithin', () => {
  it('says done, failed (with the reason) or timed out', async () => {
    expect(await drainWithin(async () => undefined, 1_000)).toEqual({ kind: 'done' })
    expect(
      await drainWithin(async () => {
        throw new Error('broker would not stop')
      }, 1_000),
    ).toEqual({ kind: 'failed', reason: 'broker would not stop' })
    expect(await drainWithin(never, 5)).toEqual({ kind: 'timed out' })
  })

  it('catches work that throws before its first await', async () => {
    const work = (): Promise<void> => {
      throw new Error('at once')
    }
    expect(await drainWithin(work, 1_000)).toEqual({ kind: 'failed', reason: 'at once' })
  })
})

describe('drainMessage', () => {
  it('is silent when the drain was clean, and names what may be left otherwise', () => {
    expect(drainMessage({ kind: 'done' }, 60_000)).toBeNull()
    const outcomes: DrainOutcome[] = [{ kind: 'failed', reason: 'disk full' }, { kind: 'timed out' }]
    const [failed, late] = outcomes.map((o) => drainMessage(o, 60_000))
    expect(failed).toMatch(/^Stopping failed: disk full\. .*may still be running/)
    expect(late).toMatch(/longer than 60 s.*may still be running/)
  })
})

describe('drainOnQuit', () => {
  it('holds the first quit until the work is done, then quits for real', async () => {
    let finish = (): void => undefined
    const work = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)))
    const report = vi.fn()
    drainOnQuit({ work, report })

    const quit = nextQuit()
    expect(beforeQuit()).toBe(true)
    expect(work).toHaveBeenCalledOnce()
    // asking again while draining neither lets the app go nor starts a second drain
    expect(beforeQuit()).toBe(true)
    expect(work).toHaveBeenCalledOnce()
    expect(app.quit).not.toHaveBeenCalled()

    finish()
    await quit
    expect(report).not.toHaveBeenCalled()
    expect(beforeQuit()).toBe(false) // the real quit passes
  })

  it('quits anyway when the limit runs out, and tells the user', async () => {
    const report = vi.fn()
    drainOnQuit({ work: never, report, limitMs: 5 })
    const quit = nextQuit()
    beforeQuit()
    await quit
    expect(report).toHaveBeenCalledWith(expect.stringMatching(/took longer than .* may still be running/))
  })

  it('tells the user when stopping failed', async () => {
    const report = vi.fn()
    drainOnQuit({ work: () => Promise.reject(new Error('PostgreSQL did not stop')), report })
    const quit = nextQuit()
    beforeQuit()
    await quit
    expect(report).toHaveBeenCalledWith(expect.stringMatching(/^Stopping failed: PostgreSQL did not stop/))
  })

  it('quits when the last window closes, and on SIGINT and SIGTERM', () => {
    drainOnQuit({ work: async () => undefined, report: vi.fn() })
    app.emit('window-all-closed')
    expect(app.quit).toHaveBeenCalledTimes(1)
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const ours = process.listeners(signal).filter((l) => !signalListeners[signal].includes(l))
      expect(ours).toHaveLength(1)
      ours[0]?.(signal)
    }
    expect(app.quit).toHaveBeenCalledTimes(3)
  })
})

describe('claimSingleInstance', () => {
  it('in the first instance, focuses the window when a second one starts', () => {
    const focus = vi.fn()
    expect(claimSingleInstance(focus)).toBe(true)
    app.emit('second-instance', {}, [], '/')
    expect(focus).toHaveBeenCalledOnce()
  })

  it('in a second instance, says so and listens for nothing', () => {
    app.requestSingleInstanceLock.mockReturnValueOnce(false)
    expect(claimSingleInstance(vi.fn())).toBe(false)
    expect(app.listenerCount('second-instance')).toBe(0)
  })
})

describe('focusWindow', () => {
  const fakeWindow = (minimized: boolean) => ({
    isDestroyed: () => false,
    isMinimized: () => minimized,
    restore: vi.fn(),
    show: vi.fn(),
    focus: vi.fn(),
  })

  it('restores a minimised window, then shows and focuses it', () => {
    const win = fakeWindow(true)
    focusWindow(win as never)
    expect(win.restore).toHaveBeenCalled()
    expect(win.show).toHaveBeenCalled()
    expect(win.focus).toHaveBeenCalled()
    const open = fakeWindow(false)
    focusWindow(open as never)
    expect(open.restore).not.toHaveBeenCalled()
    expect(open.focus).toHaveBeenCalled()
  })

  it('does nothing while there is no window yet', () => {
    expect(() => focusWindow(null)).not.toThrow()
  })
})

import { describe, expect, it, vi } from 'vitest'
import { commandChannel, COMMAND_NAMES } from '../../shared/channels'
import type { ApiHandlers, Reply } from '../../shared/contract'
import { isAppSender, registerIpc, WINDOW_CLIENT } from './ipc'
import { appLocation } from './trusted-url'

// No Electron binary here: ipcMain is a stand-in that keeps the handlers registerIpc installs.
const ipc = vi.hoisted(() => ({ handlers: new Map<string, (event: unknown, payload: unknown) => unknown>() }))
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, h: (event: unknown, payload: unknown) => unknown) =>
      ipc.handlers.set(channel, h),
  },
}))

const trusted = appLocation({ packaged: true })

/** Our window, showing `url` in its main frame, and a subframe inside it. */
function fakeWindow(url = trusted.url) {
  const mainFrame = { url }
  const webContents = { mainFrame }
  return { webContents, subFrame: { url }, destroyed: false, isDestroyed: () => false }
}

const eventFrom = (
  win: ReturnType<typeof fakeWindow>,
  frame: { url: string } = win.webContents.mainFrame,
) => ({
  sender: win.webContents,
  senderFrame: frame,
})

describe('isAppSender', () => {
  it("accepts our window's main frame while it shows the app", () => {
    const win = fakeWindow()
    expect(isAppSender(eventFrom(win) as never, win as never, trusted)).toBe(true)
  })

  it('refuses a subframe, another web contents, a foreign page, a closed window and a frame gone away', () => {
    const win = fakeWindow()
    expect(isAppSender(eventFrom(win, win.subFrame) as never, win as never, trusted)).toBe(false)
    const other = fakeWindow()
    expect(isAppSender(eventFrom(other) as never, win as never, trusted)).toBe(false)
    const navigated = fakeWindow('https://evil.example/')
    expect(isAppSender(eventFrom(navigated) as never, navigated as never, trusted)).toBe(false)
    const closed = { ...win, isDestroyed: () => true }
    expect(isAppSender(eventFrom(win) as never, closed as never, trusted)).toBe(false)
    expect(isAppSender(eventFrom(win) as never, null, trusted)).toBe(false)
    expect(isAppSender({ sender: win.webContents, senderFrame: null } as never, win as never, trusted)).toBe(
      false,
    )
  })
})

describe('registerIpc', () => {
  const win = fakeWindow()
  const subscribe = vi.fn(async ({ symbol }: { symbol: string }) => [symbol])
  const handlers = { subscribe } as unknown as ApiHandlers
  registerIpc(handlers, () => win as never, trusted)
  const call = (name: string, event: unknown, payload: unknown): Promise<Reply> =>
    ipc.handlers.get(commandChannel(name as never))?.(event, payload) as Promise<Reply>

  it('handles one channel per command', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(COMMAND_NAMES.map((n) => commandChannel(n)).sort())
  })

  it('calls the handler with a valid payload from the app, as the window client', async () => {
    expect(await call('subscribe', eventFrom(win), { symbol: 'AAPL' })).toEqual({ ok: true, value: ['AAPL'] })
    expect(subscribe).toHaveBeenLastCalledWith({ symbol: 'AAPL' }, { clientId: WINDOW_CLIENT })
  })

  it('refuses an invalid payload before the handler runs, naming the field', async () => {
    subscribe.mockClear()
    const reply = await call('subscribe', eventFrom(win), { symbol: 42 })
    expect(reply).toMatchObject({ ok: false, error: { field: 'symbol' } })
    expect(await call('subscribe', eventFrom(win), { symbol: 'AAPL', path: '/etc' })).toMatchObject({
      ok: false,
    })
    expect(subscribe).not.toHaveBeenCalled()
  })

  it('refuses a request from a frame that is not the app, whatever it carries', async () => {
    subscribe.mockClear()
    const reply = await call('subscribe', eventFrom(win, win.subFrame), { symbol: 'AAPL' })
    expect(reply).toEqual({ ok: false, error: { message: 'request from an unknown sender' } })
    expect(subscribe).not.toHaveBeenCalled()
  })
})

import { EventEmitter } from 'node:events'
import { readFile } from 'node:fs/promises'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { guardContents, installSecurity, sandboxAllRenderers, secureWebPreferences } from './security'
import { appLocation } from './trusted-url'

// Electron's binary is not here: the modules the shell touches are stand-ins that record handlers.
const electron = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- vi.hoisted runs before imports
  const { EventEmitter } = require('node:events') as typeof import('node:events')
  const app = Object.assign(new EventEmitter(), { enableSandbox: vi.fn() })
  const defaultSession = Object.assign(new EventEmitter(), {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
  })
  return { app, session: { defaultSession }, shell: { openExternal: vi.fn(async () => undefined) } }
})
vi.mock('electron', () => electron)

const trusted = appLocation({ packaged: false, devUrl: 'http://localhost:5173/' })

/** A web contents as guardContents sees it: events, and a window-open handler slot. */
function fakeContents() {
  const contents = Object.assign(new EventEmitter(), {
    openHandler: null as null | ((d: { url: string }) => { action: string }),
    setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
      contents.openHandler = h
    },
  })
  return contents
}

function navigation(url: string, isMainFrame = true) {
  return { url, isMainFrame, preventDefault: vi.fn() }
}

beforeEach(() => {
  vi.clearAllMocks()
  electron.app.removeAllListeners()
  electron.session.defaultSession.removeAllListeners()
})

describe('secureWebPreferences', () => {
  it('isolates and sandboxes the page, with no Node and no webview', () => {
    expect(secureWebPreferences('/out/preload/index.cjs')).toMatchObject({
      preload: '/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    })
  })

  it('sandboxes every renderer before the app is ready', () => {
    sandboxAllRenderers()
    expect(electron.app.enableSandbox).toHaveBeenCalledOnce()
  })
})

describe('installSecurity', () => {
  it('refuses every permission request and permission check', () => {
    installSecurity(trusted)
    const ses = electron.session.defaultSession
    const [request] = ses.setPermissionRequestHandler.mock.calls[0] as [
      (wc: unknown, p: string, cb: (ok: boolean) => void) => void,
    ]
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn()
      request({}, permission, callback)
      expect(callback).toHaveBeenCalledWith(false)
    }
    const [check] = ses.setPermissionCheckHandler.mock.calls[0] as [(...a: unknown[]) => boolean]
    expect(check(null, 'media', 'http://localhost:5173', {})).toBe(false)
    expect(check(null, 'clipboard-read', 'http://localhost:5173', {})).toBe(false)
  })

  it('cancels downloads the page starts', () => {
    installSecurity(trusted)
    const event = { preventDefault: vi.fn() }
    electron.session.defaultSession.emit('will-download', event, {}, {})
    expect(event.preventDefault).toHaveBeenCalled()
  })

  it('guards every web contents created from then on', () => {
    installSecurity(trusted)
    const contents = fakeContents()
    electron.app.emit('web-contents-created', {}, contents)
    const evil = navigation('http://localhost:5173.evil.com/')
    contents.emit('will-navigate', evil)
    expect(evil.preventDefault).toHaveBeenCalled()
    expect(contents.openHandler).not.toBeNull()
  })
})

describe('guardContents', () => {
  it('denies every new window, sending only https links to the browser', () => {
    const contents = fakeContents()
    guardContents(contents as never, trusted)
    expect(contents.openHandler?.({ url: 'https://finnhub.io/docs' })).toEqual({ action: 'deny' })
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://finnhub.io/docs')
    for (const url of ['http://localhost:5173/', 'file:///etc/passwd', 'javascript:alert(1)']) {
      expect(contents.openHandler?.({ url })).toEqual({ action: 'deny' })
    }
    expect(electron.shell.openExternal).toHaveBeenCalledOnce()
  })

  it('lets the main frame reload the app, and refuses navigation anywhere else', () => {
    const contents = fakeContents()
    guardContents(contents as never, trusted)
    for (const event of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
      const home = navigation('http://localhost:5173/?reload')
      contents.emit(event, home)
      expect(home.preventDefault, event).not.toHaveBeenCalled()
      for (const nav of [
        navigation('https://evil.example/'),
        navigation('http://localhost:5173@evil.example/'),
        navigation('file:///etc/passwd'),
        navigation('http://localhost:5173/', false), // a subframe, even of the app
      ]) {
        contents.emit(event, nav)
        expect(nav.preventDefault, `${event} ${nav.url}`).toHaveBeenCalled()
      }
    }
  })

  it('in the packaged app, keeps the main frame on app://tickflow and off file: pages', () => {
    const contents = fakeContents()
    guardContents(contents as never, appLocation({ packaged: true }))
    const home = navigation('app://tickflow/#reload')
    contents.emit('will-navigate', home)
    expect(home.preventDefault).not.toHaveBeenCalled()
    for (const url of ['file:///opt/Tickflow/resources/app.asar/out/renderer/index.html', 'app://evil/']) {
      const away = navigation(url)
      contents.emit('will-navigate', away)
      expect(away.preventDefault, url).toHaveBeenCalled()
    }
  })

  it('refuses to attach a webview', () => {
    const contents = fakeContents()
    guardContents(contents as never, trusted)
    const event = { preventDefault: vi.fn() }
    contents.emit('will-attach-webview', event, {}, {})
    expect(event.preventDefault).toHaveBeenCalled()
  })
})

describe("the renderer's Content-Security-Policy", () => {
  async function directives(): Promise<Map<string, string[]>> {
    const html = await readFile('src/renderer/index.html', 'utf8')
    const content = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    expect(content, 'index.html has a CSP meta tag').toBeDefined()
    return new Map(
      (content ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...sources]) => [name as string, sources]),
    )
  }

  it('runs only its own scripts: no inline code, no eval, no plugins', async () => {
    const csp = await directives()
    expect(csp.get('default-src')).toEqual(["'self'"])
    expect(csp.get('script-src')).toEqual(["'self'"])
    expect(csp.get('object-src')).toEqual(["'none'"])
    expect(csp.get('base-uri')).toEqual(["'none'"])
    expect(csp.get('form-action')).toEqual(["'none'"])
  })

  it('allows what the dashboard needs: its styles, data images, and its own origin for the WebSocket', async () => {
    const csp = await directives()
    // No 'unsafe-inline': React and ECharts style through the CSSOM, which the CSP allows, and the
    // tooltips' HTML uses classes (charts/tooltip.ts). 'self' covers ws(s):// to the page's own host.
    expect(csp.get('style-src')).toEqual(["'self'"])
    expect(csp.get('img-src')).toEqual(["'self'", 'data:'])
    expect(csp.get('connect-src')).toEqual(["'self'"])
  })
})

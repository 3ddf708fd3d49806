import { symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { fakeBuild, INDEX_HTML } from '../../../test/helpers/server-support'
import { appResponse, registerAppScheme, serveAppScheme } from './app-protocol'
import { appLocation, isAppUrl } from './trusted-url'

// Electron's protocol module is a stand-in that records what it is given (no Electron binary here);
// the handler is then run with real Requests against a fake build on disk.

let build: Awaited<ReturnType<typeof fakeBuild>>
beforeAll(async () => {
  build = await fakeBuild()
  // a link inside the renderer dir that leads out of it, to the file beside it
  await symlink(join(build.dir, 'package.json'), join(build.rendererDir, 'assets', 'escape.js'))
  await writeFile(join(build.rendererDir, 'assets', 'font.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]))
})
afterAll(() => build.cleanup())

const get = (url: string, method = 'GET'): Promise<Response> =>
  appResponse(new Request(url, { method }), build.rendererDir)

describe('registerAppScheme', () => {
  it('registers app: as standard and secure, and nothing more (no CORS, no fetch)', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() }
    registerAppScheme(protocol)
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true } },
    ])
  })
})

describe('serveAppScheme', () => {
  it('handles app: with the files of the renderer dir', async () => {
    const protocol = { handle: vi.fn() }
    serveAppScheme(protocol, build.rendererDir)
    const [scheme, handler] = protocol.handle.mock.calls[0] as [string, (r: Request) => Promise<Response>]
    expect(scheme).toBe('app')
    const res = await handler(new Request('app://tickflow/'))
    expect(res.status).toBe(200)
    expect(await res.text()).toBe(INDEX_HTML)
  })

  it('serves at the address the window loads and the shell trusts', async () => {
    const app = appLocation({ packaged: true })
    expect(isAppUrl(app.url, app)).toBe(true)
    expect((await get(app.url)).status).toBe(200)
  })
})

describe('appResponse', () => {
  it('serves index.html and the assets with their MIME types, and nosniff', async () => {
    for (const [url, type] of [
      ['app://tickflow/', 'text/html; charset=utf-8'],
      ['app://tickflow/index.html?x=1#y', 'text/html; charset=utf-8'],
      ['app://tickflow/assets/app.js', 'text/javascript; charset=utf-8'],
      ['app://tickflow/assets/app.css', 'text/css; charset=utf-8'],
      ['app://tickflow/assets/font.woff2', 'font/woff2'],
    ] as const) {
      const res = await get(url)
      expect(res.status, url).toBe(200)
      expect(res.headers.get('content-type'), url).toBe(type)
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff')
    }
    expect(await (await get('app://tickflow/assets/app.js')).text()).toBe('console.log("tickflow")\n')
    const head = await get('app://tickflow/assets/app.js', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('refuses traversal, links out of the root, dirs, hidden and missing files, and other hosts', async () => {
    for (const url of [
      'app://tickflow/../package.json',
      'app://tickflow/%2e%2e/package.json',
      'app://tickflow/assets/%2E%2E/%2E%2E/package.json',
      'app://tickflow/..%2fpackage.json',
      'app://tickflow/assets%5c..%5c..%5cpackage.json',
      'app://tickflow/assets/escape.js',
      'app://tickflow/assets',
      'app://tickflow/.env',
      'app://tickflow/missing.js',
      'app://other/index.html',
      'app://tickflow.evil/index.html',
    ]) {
      const res = await get(url)
      expect(res.status, url).toBe(404)
      expect(await res.text(), url).not.toContain('secret')
    }
  })

  it('answers only GET and HEAD', async () => {
    expect((await get('app://tickflow/', 'POST')).status).toBe(405)
    expect((await get('app://tickflow/', 'PUT')).status).toBe(405)
  })
})

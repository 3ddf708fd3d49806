import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startDashboardServer, type DashboardServer } from './http-server'
import {
  fakeBuild,
  fakeCore,
  get,
  type FakeCore,
  type RawResponse,
} from '../../../test/helpers/server-support'

let build: Awaited<ReturnType<typeof fakeBuild>>
let core: FakeCore
let server: DashboardServer

beforeEach(async () => {
  build = await fakeBuild()
  core = fakeCore()
  server = await startDashboardServer({ core, rendererDir: build.rendererDir })
})
afterEach(async () => {
  await server.close()
  await build.cleanup()
})

const cookie = (): Record<string, string> => ({ Cookie: `tickflow_token=${server.token}` })

describe('the dashboard server', () => {
  it('binds 127.0.0.1 on a free port and prints a URL with the token', () => {
    expect(server.host).toBe('127.0.0.1')
    expect(server.port).toBeGreaterThan(0)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
  })

  it('refuses everything without the token, /healthz included', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', '/healthz', '/nope']) {
      const res = await get(server.port, path)
      expect(res.status, path).toBe(401)
      expect(res.body).toMatch(/Unauthorized/)
      expect(res.body).not.toContain('<html')
    }
    expect((await get(server.port, '/?token=wrong')).status).toBe(401)
    expect((await get(server.port, '/', { Cookie: 'tickflow_token=wrong' })).status).toBe(401)
    expect((await get(server.port, '/', { Cookie: `other=${server.token}` })).status).toBe(401)
  })

  it('swaps the token in the URL for a cookie and redirects to the clean URL', async () => {
    const first = await get(server.port, `/?token=${server.token}`)
    expect(first.status).toBe(302)
    expect(first.headers.location).toBe('/')
    const setCookie = String(first.headers['set-cookie'])
    expect(setCookie).toContain(`tickflow_token=${server.token}`)
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect(setCookie).toMatch(/Path=\//)

    const page = await get(server.port, '/', cookie())
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.body).toContain('<div id="root">')
  })

  it('keeps other query parameters and never redirects off the site', async () => {
    const res = await get(server.port, `/index.html?a=1&token=${server.token}&b=2`)
    expect(res.headers.location).toBe('/index.html?a=1&b=2')
    expect((await get(server.port, `//evil.example/?token=${server.token}`)).headers.location).toBe('/')
    expect((await get(server.port, `/\\evil.example/?token=${server.token}`)).headers.location).toBe('/')
  })

  it('sends the security headers, with connect-src narrowed to the page itself', async () => {
    const res = await get(server.port, '/', cookie())
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'",
    )
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    // the 401 carries them too
    expect((await get(server.port, '/')).headers['x-content-type-options']).toBe('nosniff')
  })

  it('serves assets with their content types', async () => {
    const js = await get(server.port, '/assets/app.js', cookie())
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(js.body).toContain('tickflow')
    expect((await get(server.port, '/assets/app.css', cookie())).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    )
    expect((await get(server.port, '/assets/missing.js', cookie())).status).toBe(404)
    expect((await get(server.port, '/healthz', cookie())).body).toBe('ok\n')
  })

  it('never serves a file outside the renderer', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/package.json',
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/..%5cpackage.json',
      '/%252e%252e/package.json',
      '/assets/%00app.js',
      '/%',
    ]) {
      const res = await get(server.port, path, cookie())
      expect(res.status, path).toBe(404)
      expect(res.body, path).not.toContain('secret')
    }
  })

  it('answers only GET and HEAD', async () => {
    const res = await get(server.port, '/', cookie(), 'POST')
    expect(res.status).toBe(405)
    expect(res.headers.allow).toBe('GET, HEAD')
    expect((await get(server.port, '/', cookie(), 'HEAD')).status).toBe(200)
  })

  it('answers only its own loopback names, so a rebound DNS name learns nothing', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`]) {
      const res = await get(server.port, `/?token=${server.token}`, { Host: host })
      expect(res.status, host).toBe(421)
      expect(res.headers['set-cookie'], host).toBeUndefined()
    }
    expect((await get(server.port, '/', { ...cookie(), Host: `localhost:${server.port}` })).status).toBe(200)
  })

  it('on its own name under localhost, prints that name and keeps the cookie to it', async () => {
    const hostName = 'tf-0123456789ab.localhost'
    const named = await startDashboardServer({ core, rendererDir: build.rendererDir, hostName })
    try {
      expect(named.host).toBe('127.0.0.1') // Node does not resolve *.localhost: the address is bound
      expect(named.url).toBe(`http://${hostName}:${named.port}/?token=${named.token}`)
      expect(named.addressUrl).toBe(`http://127.0.0.1:${named.port}/?token=${named.token}`)
      const Host = `${hostName}:${named.port}`
      const first = await get(named.port, `/?token=${named.token}`, { Host })
      expect(first.status).toBe(302)
      // host-only: no Domain, so the browser sends it back to this name alone
      expect(String(first.headers['set-cookie'])).not.toMatch(/domain/i)
      const Cookie = `tickflow_token=${named.token}`
      expect((await get(named.port, '/', { Cookie, Host })).status).toBe(200)
      expect(
        (await get(named.port, '/', { Cookie, Host: `tf-ba9876543210.localhost:${named.port}` })).status,
      ).toBe(421)
    } finally {
      await named.close()
    }
    // Without a name, or where a browser would not reach the name, the address it is.
    expect(server.addressUrl).toBeNull()
  })

  it('fails to start without a build', async () => {
    await expect(startDashboardServer({ core, rendererDir: build.dir + '/nothing' })).rejects.toThrow(
      /run npm run build first/,
    )
  })
})

describe('the dashboard server over TLS', () => {
  let dir: string
  let pem: { cert: string; key: string }
  let tls: DashboardServer
  beforeAll(async () => {
    // a throwaway self-signed certificate for 127.0.0.1
    dir = await mkdtemp(join(tmpdir(), 'tickflow-tls-'))
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')]
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
        ...['-addext', 'subjectAltName=IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    )
    pem = { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') }
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  afterEach(async () => {
    await tls?.close()
  })

  const httpsGet = (path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    get(tls.port, path, headers, 'GET', pem.cert)

  it('serves HTTPS, prints an https URL, and marks the cookie Secure', async () => {
    // a certificate names its hosts: the URL keeps the address, not the name under localhost
    const hostName = 'tf-0123456789ab.localhost'
    tls = await startDashboardServer({ core, rendererDir: build.rendererDir, tls: pem, hostName })
    expect(tls.url).toBe(`https://127.0.0.1:${tls.port}/?token=${tls.token}`)
    expect(tls.addressUrl).toBeNull()
    const swap = await httpsGet(`/?token=${tls.token}`)
    expect(swap.status).toBe(302)
    expect(swap.headers['set-cookie']).toEqual([
      `tickflow_token=${tls.token}; HttpOnly; SameSite=Strict; Path=/; Secure`,
    ])
    expect((await httpsGet('/', { Cookie: `tickflow_token=${tls.token}` })).status).toBe(200)
    // plain HTTP on the same port gets no page
    await expect(get(tls.port, '/', { Cookie: `tickflow_token=${tls.token}` })).rejects.toThrow()
  })

  it('takes the API socket from its own https origin only', async () => {
    tls = await startDashboardServer({ core, rendererDir: build.rendererDir, tls: pem })
    const open = (origin: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`wss://127.0.0.1:${tls.port}/api`, {
          headers: { Cookie: `tickflow_token=${tls.token}` },
          origin,
          ca: pem.cert,
        })
        ws.once('open', () => (ws.close(), resolve(101)))
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.once('error', reject)
      })
    expect(await open(`http://127.0.0.1:${tls.port}`)).toBe(403)
    expect(await open(`https://127.0.0.1:${tls.port}`)).toBe(101)
  })

  it('refuses a key that is not one', async () => {
    await expect(
      startDashboardServer({ core, rendererDir: build.rendererDir, tls: { cert: pem.cert, key: 'nope' } }),
    ).rejects.toThrow(/^TLS: the certificate or key is not usable/)
  })
})

import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { contentType, headerCsp, staticPath } from './static-files'
import { INDEX_HTML } from '../../../test/helpers/server-support'

const root = resolve('/srv/renderer')

describe('staticPath', () => {
  it('maps / to index.html and paths to files under root', () => {
    expect(staticPath(root, '/')).toBe(join(root, 'index.html'))
    expect(staticPath(root, '/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'))
    expect(staticPath(root, '/assets//a%20b.js')).toBe(join(root, 'assets', 'a b.js'))
  })

  it('refuses anything that could leave root or name a hidden file', () => {
    for (const p of [
      '/..',
      '/../etc/passwd',
      '/%2e%2e/x',
      '/assets/%2E%2E/%2E%2E/x',
      '/..%2f..%2fx',
      '/..\\x',
      '/a%5c..%5cx',
      '/a%00.js',
      '/.env',
      '/assets/.git/config',
      '/%E0%A4%A',
      'relative',
    ])
      expect(staticPath(root, p), p).toBeNull()
  })
})

describe('contentType', () => {
  it('names what Vite builds, and falls back to bytes', () => {
    expect(contentType('a/index.html')).toBe('text/html; charset=utf-8')
    expect(contentType('a/x.JS')).toBe('text/javascript; charset=utf-8')
    expect(contentType('a/x.woff2')).toBe('font/woff2')
    expect(contentType('a/x.unknown')).toBe('application/octet-stream')
  })
})

describe('headerCsp', () => {
  it("is the page's CSP with connect-src narrowed to 'self'", () => {
    expect(headerCsp(INDEX_HTML)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'",
    )
  })

  it('falls back to a strict policy when the page has none', () => {
    expect(headerCsp('<html></html>')).toMatch(
      /^default-src 'self';.*connect-src 'self'; frame-ancestors 'none'$/,
    )
  })
})

describe("the renderer's own index.html", () => {
  it('yields a header CSP without the dev-time ws:// allowance', async () => {
    const { readFile } = await import('node:fs/promises')
    const csp = headerCsp(await readFile(resolve('src/renderer/index.html'), 'utf8'))
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("connect-src 'self';")
    expect(csp).not.toContain('ws:')
  })
})

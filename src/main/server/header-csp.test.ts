import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { headerCsp } from './header-csp'
import { INDEX_HTML } from '../../../test/helpers/server-support'

describe('headerCsp', () => {
  it("is the page's CSP with connect-src narrowed to 'self'", () => {
    expect(headerCsp(INDEX_HTML)).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
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

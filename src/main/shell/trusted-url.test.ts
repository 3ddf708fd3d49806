import { describe, expect, it } from 'vitest'
import { appLocation, isAppUrl, isExternalLink } from './trusted-url'

const INDEX = '/opt/Tickflow/resources/app.asar/out/renderer/index.html'
const file = appLocation({ packaged: true, indexFile: INDEX })
const dev = appLocation({ packaged: false, devUrl: 'http://localhost:5173/', indexFile: INDEX })

describe('appLocation', () => {
  it('trusts the dev server only in an unpacked app', () => {
    expect(dev).toEqual({ kind: 'dev', origin: 'http://localhost:5173', url: 'http://localhost:5173/' })
    expect(appLocation({ packaged: true, devUrl: 'http://localhost:5173/', indexFile: INDEX }).kind).toBe(
      'file',
    )
  })

  it('refuses a dev URL off loopback, with a user part, or of another scheme', () => {
    for (const devUrl of [
      'http://evil.example:5173/',
      'http://localhost:5173@evil.example/',
      'http://user:pw@localhost:5173/',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(appLocation({ packaged: false, devUrl, indexFile: INDEX }).kind).toBe('file')
  })
})

describe('isAppUrl', () => {
  it('accepts the dev origin with any path, query or fragment', () => {
    expect(isAppUrl('http://localhost:5173/', dev)).toBe(true)
    expect(isAppUrl('http://localhost:5173/src/main.tsx?t=1#x', dev)).toBe(true)
  })

  it('refuses look-alikes of the dev origin that a prefix check lets through', () => {
    for (const url of [
      'http://localhost:5173.evil.com/',
      'http://localhost:5173@evil.example/',
      'http://localhost:51730/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
      'http://user@localhost:5173/',
      'javascript:alert(1)',
      '',
    ])
      expect(isAppUrl(url, dev), url).toBe(false)
  })

  it('accepts only the exact index.html when loaded from a file', () => {
    expect(isAppUrl(`file://${INDEX}`, file)).toBe(true)
    expect(isAppUrl(`file://${INDEX}#panel`, file)).toBe(true)
    expect(isAppUrl('file:///etc/passwd', file)).toBe(false)
    expect(isAppUrl(`file://${INDEX}.evil.html`, file)).toBe(false)
    expect(isAppUrl(`file://remote-host${INDEX}`, file)).toBe(false)
    expect(isAppUrl('http://localhost:5173/', file)).toBe(false)
  })
})

describe('isExternalLink', () => {
  it('lets https links out, and nothing else', () => {
    expect(isExternalLink('https://finnhub.io/docs/api')).toBe(true)
    expect(isExternalLink('http://finnhub.io/')).toBe(false)
    expect(isExternalLink('file:///etc/passwd')).toBe(false)
    expect(isExternalLink('https://finnhub.io@evil.example/')).toBe(false)
    expect(isExternalLink('smb://share/x')).toBe(false)
  })
})

import { describe, expect, it } from 'vitest'
import { appLocation, isAppUrl, isExternalLink } from './trusted-url'

const app = appLocation({ packaged: true })
const dev = appLocation({ packaged: false, devUrl: 'http://localhost:5173/' })

describe('appLocation', () => {
  it('trusts the dev server only in an unpacked app', () => {
    expect(dev).toEqual({ kind: 'dev', origin: 'http://localhost:5173', url: 'http://localhost:5173/' })
    expect(appLocation({ packaged: true, devUrl: 'http://localhost:5173/' }).kind).toBe('app')
  })

  it('is app://tickflow/ otherwise', () => {
    expect(app).toEqual({ kind: 'app', origin: 'app://tickflow', url: 'app://tickflow/' })
    expect(appLocation({ packaged: false })).toEqual(app)
  })

  it('refuses a dev URL off loopback, with a user part, or of another scheme', () => {
    for (const devUrl of [
      'http://evil.example:5173/',
      'http://localhost:5173@evil.example/',
      'http://user:pw@localhost:5173/',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(appLocation({ packaged: false, devUrl }).kind).toBe('app')
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

  it('accepts the app:// origin with any path, query or fragment', () => {
    expect(isAppUrl('app://tickflow/', app)).toBe(true)
    expect(isAppUrl('app://tickflow/index.html?x=1#panel', app)).toBe(true)
  })

  it('refuses file: pages and look-alikes of the app:// origin', () => {
    for (const url of [
      'file:///opt/Tickflow/resources/app.asar/out/renderer/index.html',
      'file:///etc/passwd',
      'app://tickflow.evil/',
      'app://tickflow:8080/',
      'app://evil/',
      'app://user@tickflow/',
      'app:tickflow/',
      'app:///tickflow/',
      'apps://tickflow/',
      'http://tickflow/',
      'http://localhost:5173/',
      'null',
    ])
      expect(isAppUrl(url, app), url).toBe(false)
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

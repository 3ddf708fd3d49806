import { describe, expect, it } from 'vitest'
import { hostCheck, isLoopback, urlHost, usesOwnName } from './host-check'

describe('isLoopback', () => {
  it('knows loopback from the rest', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopback)).toBe(true)
    expect(['0.0.0.0', '::', '192.168.1.5', 'example.com'].some(isLoopback)).toBe(false)
  })
})

describe('urlHost', () => {
  it('turns a wildcard into loopback and brackets IPv6', () => {
    expect(['0.0.0.0', '::', '::1', '127.0.0.1'].map(urlHost)).toEqual([
      '127.0.0.1',
      '[::1]',
      '[::1]',
      '127.0.0.1',
    ])
  })
})

describe('hostCheck', () => {
  it('on loopback, answers only the loopback names with the port', () => {
    const ok = hostCheck('127.0.0.1', () => 8123, false)
    for (const h of ['127.0.0.1:8123', 'localhost:8123', 'LOCALHOST:8123', '[::1]:8123'])
      expect(ok(h), h).toBe(true)
    for (const h of [
      undefined,
      '',
      'evil.example:8123',
      '127.0.0.1:8124',
      '127.0.0.1',
      'localhost.evil.example:8123',
    ])
      expect(ok(h), String(h)).toBe(false)
  })

  it('takes a bare name on the scheme’s default port only', () => {
    expect(hostCheck('127.0.0.1', () => 80, false)('localhost')).toBe(true)
    expect(hostCheck('127.0.0.1', () => 443, true)('localhost')).toBe(true)
    expect(hostCheck('127.0.0.1', () => 443, false)('localhost')).toBe(false)
  })

  it('answers its own name under localhost, and no other', () => {
    const ok = hostCheck('127.0.0.1', () => 8123, false, ['tf-0123456789ab.localhost'])
    for (const h of ['tf-0123456789ab.localhost:8123', 'TF-0123456789AB.localhost:8123', '127.0.0.1:8123'])
      expect(ok(h), h).toBe(true)
    for (const h of [
      'tf-0123456789ab.localhost:8124',
      'tf-ba9876543210.localhost:8123',
      'x.tf-0123456789ab.localhost:8123',
      'tf-0123456789ab.localhost.evil.example:8123',
    ])
      expect(ok(h), h).toBe(false)
  })

  it('uses its own name only on the default loopback bind over plain HTTP', () => {
    expect(usesOwnName('127.0.0.1', false)).toBe(true)
    expect(usesOwnName('localhost', false)).toBe(true)
    expect(usesOwnName('127.0.0.1', true)).toBe(false)
    expect(usesOwnName('127.0.0.2', false)).toBe(false)
    expect(usesOwnName('0.0.0.0', false)).toBe(false)
  })

  it('knows the address it is bound to, and leaves a network bind to TLS and the token', () => {
    expect(hostCheck('127.0.0.2', () => 9, false)('127.0.0.2:9')).toBe(true)
    expect(hostCheck('0.0.0.0', () => 9, true)('tickflow.lan:9')).toBe(true)
  })
})

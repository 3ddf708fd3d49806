import { describe, expect, it } from 'vitest'
import { parseFlags } from '../config'
import { describeAccess, splitServeFlags } from './serve-flags'

describe('splitServeFlags', () => {
  it('defaults to 127.0.0.1 on a free port, plain HTTP, the kept token', () => {
    expect(splitServeFlags([])).toEqual({
      port: 0,
      host: '127.0.0.1',
      tls: null,
      newToken: false,
      start: false,
      rest: [],
    })
  })

  it('takes its flags in both spellings and leaves the pipeline flags as given', () => {
    const argv = [
      ...['--source', 'demo', '--port', '8080', '--symbols', 'AAPL, IC MARKETS:1', '--host=0.0.0.0'],
      ...['--tls-cert', 'c.pem', '--tls-key=k.pem', '--new-token', '--start'],
    ]
    const out = splitServeFlags(argv)
    expect(out).toEqual({
      port: 8080,
      host: '0.0.0.0',
      tls: { certFile: 'c.pem', keyFile: 'k.pem' },
      newToken: true,
      start: true,
      rest: ['--source', 'demo', '--symbols', 'AAPL, IC MARKETS:1'],
    })
    expect(parseFlags(out.rest).settings).toMatchObject({ source: 'demo', symbols: ['AAPL', 'IC MARKETS:1'] })
  })

  it('refuses a host other than loopback without TLS, and half of TLS', () => {
    for (const host of ['0.0.0.0', '192.168.1.5', '::'])
      expect(() => splitServeFlags(['--host', host])).toThrow(/in clear: give --tls-cert FILE --tls-key FILE/)
    expect(splitServeFlags(['--host', '127.0.0.2']).host).toBe('127.0.0.2')
    expect(() => splitServeFlags(['--tls-cert', 'c.pem'])).toThrow(/--tls-cert and --tls-key go together/)
    expect(() => splitServeFlags(['--tls-key', 'k.pem', '--host', '0.0.0.0'])).toThrow(/go together/)
    expect(() => splitServeFlags(['--new-token=yes'])).toThrow('--new-token takes no value')
    expect(() => splitServeFlags(['--start=now'])).toThrow('--start takes no value')
    // TLS on loopback is allowed too
    expect(splitServeFlags(['--tls-cert=c', '--tls-key=k']).tls).toEqual({ certFile: 'c', keyFile: 'k' })
  })

  it('refuses a missing or bad value', () => {
    expect(() => splitServeFlags(['--port'])).toThrow('--port needs a value')
    expect(() => splitServeFlags(['--port', '--source', 'demo'])).toThrow('--port needs a value')
    expect(() => splitServeFlags(['--host='])).toThrow('--host needs a value')
    expect(() => splitServeFlags(['--port', '80x'])).toThrow(/--port must be a port number/)
    expect(() => splitServeFlags(['--port', '70000'])).toThrow(/--port must be a port number/)
    expect(() => splitServeFlags(['--port', '-1'])).toThrow('--port needs a value')
  })

  it('leaves unknown flags for parseFlags to refuse', () => {
    const out = splitServeFlags(['--bogus', '1'])
    expect(out.rest).toEqual(['--bogus', '1'])
    expect(() => parseFlags(out.rest)).toThrow(/bogus/)
  })
})

describe('describeAccess', () => {
  it('says how the dashboard is served and whether the token is new', () => {
    const kept = { made: false, path: '/d/dashboard-token' }
    expect(describeAccess({ host: '127.0.0.1', tls: null }, kept)).toBe(
      'Plain HTTP on this machine only (127.0.0.1); other machines need --host with --tls-cert and --tls-key.\n' +
        'The token kept in /d/dashboard-token; --new-token replaces it.',
    )
    const tls = { certFile: 'c.pem', keyFile: 'k.pem' }
    expect(describeAccess({ host: '0.0.0.0', tls }, { ...kept, made: true })).toBe(
      "HTTPS with c.pem; the token's cookie is Secure.\n" +
        'A new token, kept in /d/dashboard-token: a browser that had an older one must open this address.',
    )
  })

  it('gives the address to fall back on when the URL is a *.localhost name', () => {
    const text = describeAccess(
      { host: '127.0.0.1', tls: null },
      { made: false, path: '/d/dashboard-token' },
      'http://127.0.0.1:8123/?token=abc',
    )
    expect(text.split('\n')[2]).toBe(
      'A browser that does not resolve *.localhost names itself (Chromium and Firefox do) can open ' +
        'http://127.0.0.1:8123/?token=abc; there the cookie also reaches any other server on 127.0.0.1.',
    )
  })
})

import { describe, expect, it } from 'vitest'
import { parseFlags } from '../config'
import { isLoopback, splitServeFlags } from './serve-flags'

describe('splitServeFlags', () => {
  it('defaults to 127.0.0.1 on a free port', () => {
    expect(splitServeFlags([])).toEqual({ port: 0, host: '127.0.0.1', rest: [] })
  })

  it('takes --port and --host in both spellings and leaves the pipeline flags as given', () => {
    const argv = ['--source', 'demo', '--port', '8080', '--symbols', 'AAPL, IC MARKETS:1', '--host=0.0.0.0']
    const out = splitServeFlags(argv)
    expect(out).toEqual({
      port: 8080,
      host: '0.0.0.0',
      rest: ['--source', 'demo', '--symbols', 'AAPL, IC MARKETS:1'],
    })
    expect(parseFlags(out.rest).settings).toMatchObject({ source: 'demo', symbols: ['AAPL', 'IC MARKETS:1'] })
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

describe('isLoopback', () => {
  it('knows loopback from the rest', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].every(isLoopback)).toBe(true)
    expect(['0.0.0.0', '::', '192.168.1.5', 'example.com'].some(isLoopback)).toBe(false)
  })
})

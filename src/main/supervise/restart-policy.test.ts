import { describe, expect, it } from 'vitest'
import { describeExit, seconds } from './restart-policy'

describe('describeExit', () => {
  it('says how a process ended', () => {
    expect(describeExit({ code: null, signal: 'SIGKILL' })).toBe('was killed by SIGKILL')
    expect(describeExit({ code: 1, signal: null })).toBe('exited with code 1')
    expect(describeExit({ code: null, signal: null })).toBe('exited')
  })
  it('formats seconds for a notice', () => {
    expect(seconds(1_000)).toBe('1.0 s')
    expect(seconds(30_000)).toBe('30 s')
  })
})

import { describe, expect, it } from 'vitest'
import { parseProcState, parseStatStartTime, processStartTime } from './process-info'

// /proc/<pid>/stat of a real process, with a command name that holds spaces and parentheses.
const STAT =
  '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000000 200 ' +
  '18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0'

describe('/proc/<pid>/stat', () => {
  it('reads the state letter and the start time (field 22) past an odd command name', () => {
    expect(parseProcState(STAT)).toBe('S')
    expect(parseStatStartTime(STAT)).toBe(987654)
  })
  it('reads garbage as unknown', () => {
    expect(parseProcState('garbage')).toBeUndefined()
    expect(parseStatStartTime('garbage')).toBeUndefined()
    expect(parseStatStartTime('1 (x) S 1 2')).toBeUndefined()
  })
  it('gives this process a start time that does not change', async () => {
    const a = await processStartTime(process.pid)
    expect(a).toBeGreaterThan(0)
    expect(await processStartTime(process.pid)).toBe(a)
  })
})

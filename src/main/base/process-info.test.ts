import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isProcessAlive, parseProcState, parseStatStartTime, processStartTime } from './process-info'

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

describe('isProcessAlive', () => {
  it('sees a process that has exited as dead', async () => {
    const child = spawn('true')
    await new Promise((r) => child.once('exit', r))
    expect(await isProcessAlive(child.pid!)).toBe(false)
  })

  // A pid that exits between kill(0) and the /proc read: kill(0) passes (this process is alive),
  // and a /proc without its entry stands in for the moment after it was reaped.
  it('sees a pid whose /proc entry is gone as dead, when there is a /proc', async () => {
    const proc = await mkdtemp(join(tmpdir(), 'tf-proc-'))
    try {
      expect(await isProcessAlive(process.pid, proc)).toBe(false)
    } finally {
      await rm(proc, { recursive: true, force: true })
    }
  })

  it('trusts kill(0) where there is no /proc at all', async () => {
    expect(await isProcessAlive(process.pid, join(tmpdir(), 'tf-no-proc-here'))).toBe(true)
  })
})

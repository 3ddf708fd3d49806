import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { acquirePidLock, formatLock, holderStillHolds, parseLock } from './pid-lock'
import { processStartTime } from '../base/process-info'

describe('lock text', () => {
  it("round-trips pid and start time, and reads an older run's bare pid", () => {
    expect(parseLock(formatLock({ pid: 42, startedAt: 12345 }))).toEqual({ pid: 42, startedAt: 12345 })
    expect(parseLock('4711\n')).toEqual({ pid: 4711 })
  })
  it('reads anything else as no holder', () => {
    for (const t of ['', 'abc', '0', '-3', '12 x', '1 2 3']) expect(parseLock(t)).toBeUndefined()
  })
})

describe('holderStillHolds', () => {
  it('is stale when the pid is dead', () => {
    expect(holderStillHolds({ pid: 1, startedAt: 5 }, { alive: false })).toBe(false)
  })
  it('is stale when the pid is alive but started at another time: it was reused', () => {
    expect(holderStillHolds({ pid: 1, startedAt: 5 }, { alive: true, startedAt: 9 })).toBe(false)
  })
  it('holds when pid and start time match', () => {
    expect(holderStillHolds({ pid: 1, startedAt: 5 }, { alive: true, startedAt: 5 })).toBe(true)
  })
  it('holds for a live pid when a start time is unknown (the safe side)', () => {
    expect(holderStillHolds({ pid: 1 }, { alive: true, startedAt: 9 })).toBe(true)
    expect(holderStillHolds({ pid: 1, startedAt: 5 }, { alive: true })).toBe(true)
  })
})

describe('acquirePidLock', () => {
  const dirs: string[] = []
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))
  const lockPath = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'tf-pidlock-'))
    dirs.push(d)
    return join(d, 'x.lock')
  }

  it('refuses while a live holder has it, naming the holder', async () => {
    const path = await lockPath()
    const holder = spawn('sleep', ['30'])
    try {
      const started = await processStartTime(holder.pid!)
      await writeFile(path, formatLock({ pid: holder.pid!, startedAt: started }))
      await expect(acquirePidLock(path, 'guards the thing')).rejects.toThrow(
        `another process (pid ${holder.pid}) guards the thing`,
      )
    } finally {
      holder.kill()
    }
  })

  it('takes over a lock whose pid now belongs to another process (killed run, pid reused)', async () => {
    const path = await lockPath()
    const other = spawn('sleep', ['30'])
    try {
      const started = (await processStartTime(other.pid!))!
      await writeFile(path, formatLock({ pid: other.pid!, startedAt: started - 1 }))
      const release = await acquirePidLock(path, 'guards the thing')
      expect(parseLock(await readFile(path, 'utf8'))?.pid).toBe(process.pid)
      await release()
      await expect(readFile(path, 'utf8')).rejects.toThrow()
    } finally {
      other.kill()
    }
  })

  it('takes over a dead holder, and release leaves a lock someone else took alone', async () => {
    const path = await lockPath()
    const dead = spawn('sh', ['-c', 'exit 0'])
    await new Promise((r) => dead.once('exit', r))
    await writeFile(path, String(dead.pid))
    const release = await acquirePidLock(path, 'guards the thing')
    await writeFile(path, '1 1') // as if another run had judged us stale and taken it
    await release()
    expect(await readFile(path, 'utf8')).toBe('1 1')
  })
})

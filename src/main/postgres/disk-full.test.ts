import { tmpdir } from 'node:os'
import { describe, expect, it } from 'vitest'
import {
  describeDisk,
  diskFullNotice,
  isDiskFullError,
  LastWords,
  mountPointOf,
  withDiskSpace,
} from './disk-full'

describe('isDiskFullError', () => {
  it('knows SQLSTATE 53100, ENOSPC and the words, and nothing else', () => {
    expect(isDiskFullError({ code: '53100', message: 'could not extend file "base/1/2"' })).toBe(true)
    expect(isDiskFullError({ code: 'ENOSPC', message: 'write failed' })).toBe(true)
    expect(
      isDiskFullError(
        new Error('FATAL:  could not write to file "pg_wal/xlogtemp.9": No space left on device'),
      ),
    ).toBe(true)
    expect(isDiskFullError({ code: '57P01', message: 'terminating connection' })).toBe(false)
    expect(isDiskFullError(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(false)
    expect(isDiskFullError(null)).toBe(false)
  })
})

const MOUNTINFO = [
  '22 1 252:0 / / rw,relatime - ext4 /dev/vda rw',
  '40 22 0:35 / /tmp/full rw,relatime - tmpfs tmpfs rw,size=98304k',
  '41 22 0:36 / /tmp/full\\040disk rw,relatime - tmpfs tmpfs rw',
  '',
].join('\n')

describe('mountPointOf', () => {
  it('picks the longest mount path that contains the dir, unescaping spaces', () => {
    expect(mountPointOf('/tmp/full/postgres', MOUNTINFO)).toBe('/tmp/full')
    expect(mountPointOf('/tmp/full', MOUNTINFO)).toBe('/tmp/full')
    expect(mountPointOf('/tmp/full disk/pg', MOUNTINFO)).toBe('/tmp/full disk')
    // a sibling whose name merely starts the same is not inside
    expect(mountPointOf('/tmp/fuller/pg', MOUNTINFO)).toBe('/')
    expect(mountPointOf('/x', '')).toBeNull()
  })
})

describe('describeDisk', () => {
  it('names the dir, its mount and the free space', () => {
    const d = { dir: '/d/postgres', mountPoint: '/d', freeBytes: 0, totalBytes: 96 * 1_048_576 }
    expect(describeDisk(d)).toBe('/d/postgres (disk mounted at /d): 0 kB free of 100.7 MB')
    expect(describeDisk({ ...d, mountPoint: '/d/postgres' })).toBe('/d/postgres: 0 kB free of 100.7 MB')
  })
})

describe('diskFullNotice', () => {
  const err = new Error('could not extend file "base/16384/16397": No space left on device')

  it('measures the embedded cluster dir it is given', async () => {
    const text = await diskFullNotice(err, tmpdir())
    expect(text).toMatch(new RegExp(`^PostgreSQL's disk is full, ${tmpdir()}.*: [\\d.]+ [kMG]B free of`))
    expect(text).toContain('Kafka holds the backlog')
  })

  it('names the file of an external server, whose disk it cannot measure', async () => {
    expect(await diskFullNotice(err, undefined)).toMatch(
      /^the database server's disk is full \(could not extend file "base\/16384\/16397"/,
    )
  })
})

describe('withDiskSpace', () => {
  it('adds the free space to a start that failed for want of it, and leaves other errors be', async () => {
    const full = new Error(
      'exited during start: FATAL: could not write to file "pg_wal/x": No space left on device',
    )
    expect(((await withDiskSpace(full, tmpdir())) as Error).message).toMatch(
      new RegExp(`No space left on device; the disk is full: ${tmpdir()}`),
    )
    const other = new Error('could not bind')
    expect(await withDiskSpace(other, tmpdir())).toBe(other)
  })
})

describe('LastWords', () => {
  it('names the disk when the last lines say it was full, and forgets them on clear()', async () => {
    const w = new LastWords(2)
    w.add('ERROR Error while appending records to trades-0')
    w.add('java.io.IOException: No space left on device')
    expect(await w.diskFull(tmpdir())).toMatch(new RegExp(`^its disk is full, ${tmpdir()}.*free of`))
    w.add('ERROR Shutdown broker because all log dirs have failed')
    w.add('exiting')
    expect(await w.diskFull(tmpdir())).toBeNull() // only the last 2 are kept
    w.add('No space left on device')
    w.clear()
    expect(await w.diskFull(tmpdir())).toBeNull()
  })
})

import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RECORDING_NAME_RULE } from '../../../shared/recordings'
import {
  listRecordings,
  recordingFilePath,
  recordingNameOf,
  recordingsDir,
  resolveRecording,
} from './recordings'

describe('the recordings folder', () => {
  let dataDir: string
  let dir: string
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickflow-recordings-'))
    dir = recordingsDir(dataDir)
    await mkdir(join(dir, 'a-folder'), { recursive: true })
    await writeFile(join(dir, 'old.jsonl'), 'x\n')
    await utimes(join(dir, 'old.jsonl'), 1_700_000_000, 1_700_000_000)
    await writeFile(join(dir, 'today.jsonl'), 'line one\nline two\n')
    await writeFile(join(dir, '.hidden.jsonl'), '')
    await writeFile(join(dataDir, 'outside.jsonl'), 'not a recording\n')
    await symlink('/etc/passwd', join(dir, 'passwd.jsonl'))
    await symlink(join(dataDir, 'outside.jsonl'), join(dir, 'outside.jsonl'))
  })
  afterAll(() => rm(dataDir, { recursive: true, force: true }))

  it('lists the plain files in it, newest first, with their sizes and times', async () => {
    const list = await listRecordings(dir)
    expect(list.map((r) => r.name)).toEqual(['today.jsonl', 'old.jsonl'])
    expect(list[0]).toMatchObject({ bytes: 18 })
    expect(list[1]).toEqual({ name: 'old.jsonl', bytes: 2, modifiedAt: 1_700_000_000_000 })
  })

  it('lists nothing before anything was recorded', async () => {
    expect(await listRecordings(join(dataDir, 'none-yet'))).toEqual([])
  })

  it('resolves a name inside the folder', async () => {
    expect(await resolveRecording(dir, 'today.jsonl')).toBe(join(dir, 'today.jsonl'))
  })

  it('refuses a path, .. and hidden names before looking at any file', async () => {
    for (const name of [
      '/etc/passwd',
      '/etc/no-such-file',
      '../outside.jsonl',
      '../../x',
      '..',
      'a/b',
      'a\\b',
    ])
      await expect(resolveRecording(dir, name), name).rejects.toThrow(RECORDING_NAME_RULE)
    await expect(resolveRecording(dir, '.hidden.jsonl')).rejects.toThrow(RECORDING_NAME_RULE)
  })

  it('refuses links, also those that lead out of the folder, and folders', async () => {
    await expect(resolveRecording(dir, 'passwd.jsonl')).rejects.toThrow(/not a plain file/)
    await expect(resolveRecording(dir, 'outside.jsonl')).rejects.toThrow(/not a plain file/)
    await expect(resolveRecording(dir, 'a-folder')).rejects.toThrow(/not a plain file/)
  })

  it('says a missing recording is missing from the folder', async () => {
    await expect(resolveRecording(dir, 'nope.jsonl')).rejects.toThrow(
      'no recording named nope.jsonl in the recordings folder',
    )
  })

  it('names a path as a recording only when it is directly in the folder', () => {
    expect(recordingNameOf(dir, join(dir, 'today.jsonl'))).toBe('today.jsonl')
    expect(recordingNameOf(dir, join(dataDir, 'outside.jsonl'))).toBeNull()
    expect(recordingNameOf(dir, join(dir, 'a-folder', 'x.jsonl'))).toBeNull()
    expect(recordingNameOf(dir, null)).toBeNull()
  })

  it("puts the CLI's bare file names in the folder and keeps its paths", () => {
    expect(recordingFilePath('/data', 'today.jsonl')).toBe('/data/recordings/today.jsonl')
    expect(recordingFilePath('/data', './today.jsonl')).toBe('./today.jsonl')
    expect(recordingFilePath('/data', '/tmp/today.jsonl')).toBe('/tmp/today.jsonl')
  })
})

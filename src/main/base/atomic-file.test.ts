import { spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { removeCrashedTemps, writeFileAtomic } from './atomic-file'

describe('atomic file writes', () => {
  let dir: string
  let path: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-atomic-'))
    path = join(dir, 'settings.json')
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('replaces the file at mode 600 and leaves no temp file', async () => {
    await writeFile(path, 'old', { mode: 0o644 })
    await writeFileAtomic(path, 'new')
    expect(await readFile(path, 'utf8')).toBe('new')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['settings.json'])
  })

  it('keeps the old file when a write fails before the rename, and cleans up', async () => {
    await writeFile(path, 'old')
    const failing = writeFileAtomic(path, 'new', {
      beforeRename: () => {
        throw new Error('disk gone')
      },
    })
    await expect(failing).rejects.toThrow('disk gone')
    expect(await readFile(path, 'utf8')).toBe('old')
    expect(await readdir(dir)).toEqual(['settings.json'])
  })

  it('keeps the old file when the writer is killed mid-write; the next start removes its temp', async () => {
    await writeFile(path, '{"symbols":["OLD"]}')
    // A real crash: a child process SIGKILLs itself once its temp file is complete.
    const child = join(dir, 'crash.mts')
    const module = fileURLToPath(new URL('./atomic-file.ts', import.meta.url))
    await writeFile(
      child,
      `import { writeFileAtomic } from ${JSON.stringify(module)}\n` +
        `await writeFileAtomic(${JSON.stringify(path)}, '{"symbols":["NEW"]}', {\n` +
        `  beforeRename: () => { process.kill(process.pid, 'SIGKILL') },\n})\n`,
    )
    const run = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8' })
    expect(run.signal, run.stderr).toBe('SIGKILL')
    expect(await readFile(path, 'utf8')).toBe('{"symbols":["OLD"]}')
    const left = (await readdir(dir)).filter((f) => f.endsWith('.tmp'))
    expect(left).toHaveLength(1)
    expect(await readFile(join(dir, left[0]!), 'utf8')).toBe('{"symbols":["NEW"]}')

    expect(await removeCrashedTemps(path)).toBe(1)
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('leaves the temp file of a writer that is still alive', async () => {
    const live = join(dir, `.settings.json.${process.ppid}.abc.tmp`)
    await writeFile(live, 'in progress')
    expect(await removeCrashedTemps(path)).toBe(0)
    expect(await readdir(dir)).toContain(`.settings.json.${process.ppid}.abc.tmp`)
  })
})

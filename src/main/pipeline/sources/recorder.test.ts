import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFrameLine } from './jsonl'
import { createRecorder } from './recorder'
import { ReplaySource } from './replay'
import type { FrameSink } from './source'
import { collectingSink, sleep } from '../../../../test/helpers/source-helpers'

const T0 = 1_714_000_000_000
let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickflow-rec-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const FRAMES = [
  '{"type":"trade","data":[{"s":"IC MARKETS:1","p":1.085,"t":1714000000000,"v":0,"c":null}]}',
  '{"type":"ping"}',
  'not json\nat all',
  '{"type":"error","msg":"Subscribing to too many symbols"}',
]

describe('createRecorder', () => {
  it('records exact frames as JSONL, passes them on, and replays them identically', async () => {
    const path = join(dir, 'rec.jsonl')
    const down = collectingSink()
    const rec = createRecorder(path, down)
    FRAMES.forEach((raw, i) => expect(rec.frame(raw, T0 + i)).toBe(true))
    expect(down.raws()).toEqual(FRAMES)
    await rec.close()
    const text = await readFile(path, 'utf8')
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => decodeFrameLine(l)),
    ).toEqual(FRAMES.map((raw, i) => ({ raw, receivedAt: T0 + i })))
    expect(rec.stats()).toEqual({ lines: 4, bytes: Buffer.byteLength(text), dropped: 0 })

    const replayed = collectingSink()
    const replay = new ReplaySource({ path, speed: 'max', stamp: 'recorded' })
    await replay.start(replayed)
    await replay.finished
    expect(replayed.frames).toEqual(FRAMES.map((raw, i) => ({ raw, receivedAt: T0 + i })))
  })

  it('appends when asked', async () => {
    const path = join(dir, 'append.jsonl')
    for (const raw of ['a', 'b']) {
      const rec = createRecorder(path, undefined, { append: true })
      rec.frame(raw, T0)
      await rec.close()
    }
    expect((await readFile(path, 'utf8')).trimEnd().split('\n')).toHaveLength(2)
  })

  it('reports downstream backpressure and waits for its drain', async () => {
    let drained = false
    const down: FrameSink = {
      frame: () => false,
      drain: async () => {
        await sleep(5)
        drained = true
      },
    }
    const rec = createRecorder(join(dir, 'bp.jsonl'), down)
    expect(rec.frame('x', T0)).toBe(false)
    await rec.drain()
    expect(drained).toBe(true)
    await rec.close()
  })

  it('reports its own file backpressure while a big batch is pending, and drains it', async () => {
    const rec = createRecorder(join(dir, 'big.jsonl'))
    const big = 'x'.repeat(600_000)
    const answers = [rec.frame(big, T0), rec.frame(big, T0)]
    expect(answers).toEqual([true, false])
    await rec.drain()
    await rec.close()
    expect(rec.stats()).toMatchObject({ lines: 2, dropped: 0 })
  })

  it('drops and counts lines beyond its buffer instead of growing without bound', async () => {
    const down = collectingSink()
    const rec = createRecorder(join(dir, 'drop.jsonl'), down, { maxBufferedBytes: 100 })
    for (let i = 0; i < 10; i++) rec.frame('y'.repeat(40), T0)
    expect(down.frames).toHaveLength(10) // the pipeline still gets every frame
    await rec.close()
    const { lines, dropped } = rec.stats()
    expect(lines).toBeGreaterThan(0)
    expect(dropped).toBeGreaterThan(0)
    expect(lines + dropped).toBe(10)
  })

  it('counts frames after close as dropped but still passes them on', async () => {
    const down = collectingSink()
    const rec = createRecorder(join(dir, 'closed.jsonl'), down)
    await rec.close()
    await rec.close()
    rec.frame('late', T0)
    expect(down.raws()).toEqual(['late'])
    expect(rec.stats().dropped).toBe(1)
  })

  it('survives a file it cannot open: reports the error, counts the drops, keeps passing frames', async () => {
    const errors: Error[] = []
    const down = collectingSink()
    const rec = createRecorder(join(dir, 'no/such/dir.jsonl'), down, { onError: (e) => errors.push(e) })
    rec.frame('a', T0)
    await sleep(50)
    rec.frame('b', T0)
    await rec.drain()
    await rec.close()
    expect(errors[0]?.message).toMatch(/ENOENT/)
    expect(rec.stats()).toMatchObject({ dropped: 2, error: expect.stringMatching(/ENOENT/) })
    expect(down.raws()).toEqual(['a', 'b'])
  })
})

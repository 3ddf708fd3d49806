import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseFrame } from './frame-parser'
import { writeFrameFile, type RecordedFrame } from './jsonl'
import { ReplaySource } from './replay'
import type { FrameSink } from './source'
import { collectingSink, sleep } from '../../../../test/helpers/source-helpers'

const T0 = 1_714_000_000_000
let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickflow-replay-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

let n = 0
async function fixture(frames: (RecordedFrame | { line: string })[]): Promise<string> {
  const path = join(dir, `f${n++}.jsonl`)
  await writeFrameFile(path, frames)
  return path
}

const tradeRaw = (i: number): string =>
  JSON.stringify({ type: 'trade', data: [{ s: 'AAPL', p: 171.46, t: T0 + i, v: i, c: null }] })

describe('ReplaySource', () => {
  it('at max speed delivers exactly the file frames, in order, and reports progress', async () => {
    const frames: RecordedFrame[] = Array.from({ length: 3_000 }, (_, i) => ({
      receivedAt: T0 + i * 1_000, // 50 minutes of recording: only max speed finishes in time
      raw: i % 500 === 7 ? `{"type":"trade","data":[{"s":"AAPL"\n,"p":"bad"}]}` : tradeRaw(i),
    }))
    const path = await fixture(frames)
    const replay = new ReplaySource({ path, speed: 'max', symbols: ['AAPL'] })
    const sink = collectingSink()
    await replay.start(sink)
    await replay.finished
    expect(sink.raws()).toEqual(frames.map((f) => f.raw))
    const size = (await stat(path)).size
    expect(replay.progress()).toEqual({ frames: 3_000, badLines: 0, bytes: size, totalBytes: size })
    expect(replay.status()).toMatchObject({
      kind: 'replay',
      state: 'done',
      frames: 3_000,
      detail: 'replayed 3000 frames',
    })
  })

  it('passes lines that are not {receivedAt, raw} on as raw frames and skips blank lines', async () => {
    const path = await fixture([
      { receivedAt: T0, raw: '{"type":"ping"}' },
      { line: 'garbage' },
      { line: '' },
      { line: '{"raw":"no time"}' },
      { line: '{"receivedAt":1,"raw":' },
      { receivedAt: T0 + 1, raw: 'last' },
    ])
    const replay = new ReplaySource({ path, speed: 'max' })
    const sink = collectingSink()
    await replay.start(sink)
    await replay.finished
    expect(sink.raws()).toEqual([
      '{"type":"ping"}',
      'garbage',
      '{"raw":"no time"}',
      '{"receivedAt":1,"raw":',
      'last',
    ])
    expect(replay.progress()).toMatchObject({ frames: 5, badLines: 3 })
    expect(replay.status().detail).toMatch(/3 bad lines/)
  })

  it('at 1× keeps the recorded gaps (at least), in order', async () => {
    const gaps = [0, 150, 0, 100]
    let at = T0
    const path = await fixture(gaps.map((g, i) => ({ receivedAt: (at += g), raw: `f${i}` })))
    const replay = new ReplaySource({ path, speed: 1 })
    const sink = collectingSink()
    await replay.start(sink)
    await replay.finished
    expect(sink.raws()).toEqual(['f0', 'f1', 'f2', 'f3'])
    const wall = sink.frames.map((f) => f.receivedAt - (sink.frames[0]?.receivedAt ?? 0))
    // Timers never fire early by more than a millisecond; upper bounds would be timing-flaky.
    expect(wall[1]).toBeGreaterThanOrEqual(148)
    expect(wall[3]).toBeGreaterThanOrEqual(248)
  })

  it('at N× scales the gaps down', async () => {
    const path = await fixture([0, 1_000, 2_000].map((g, i) => ({ receivedAt: T0 + g, raw: `f${i}` })))
    const replay = new ReplaySource({ path, speed: 10 })
    const sink = collectingSink()
    const started = Date.now()
    await replay.start(sink)
    await replay.finished
    const elapsed = Date.now() - started
    expect(sink.raws()).toEqual(['f0', 'f1', 'f2'])
    expect(elapsed).toBeGreaterThanOrEqual(198)
    expect(elapsed).toBeLessThan(2_000) // unscaled it would take 2 s
  })

  it('stamps frames with the replay time, or the recorded one when asked', async () => {
    const path = await fixture([{ receivedAt: T0, raw: 'x' }])
    const sinkNow = collectingSink()
    const now = new ReplaySource({ path, speed: 'max' })
    await now.start(sinkNow)
    await now.finished
    expect(sinkNow.frames[0]?.receivedAt).toBeGreaterThan(T0 + 1_000_000)
    const sinkRec = collectingSink()
    const rec = new ReplaySource({ path, speed: 'max', stamp: 'recorded' })
    await rec.start(sinkRec)
    await rec.finished
    expect(sinkRec.frames[0]?.receivedAt).toBe(T0)
  })

  it('honours backpressure: no frame is offered while the sink is draining', async () => {
    const path = await fixture(Array.from({ length: 200 }, (_, i) => ({ receivedAt: T0, raw: `f${i}` })))
    const got: string[] = []
    let draining = false
    let violations = 0
    let drains = 0
    const sink: FrameSink = {
      frame(raw) {
        if (draining) violations++
        got.push(raw)
        return got.length % 10 !== 0 // above the high-water mark every 10th frame
      },
      async drain() {
        drains++
        draining = true
        await sleep(2)
        draining = false
      },
    }
    const replay = new ReplaySource({ path, speed: 'max' })
    await replay.start(sink)
    await replay.finished
    expect(got).toHaveLength(200)
    expect(drains).toBe(20)
    expect(violations).toBe(0)
  })

  it('stops mid-file: finished resolves, state is closed', async () => {
    const path = await fixture(
      Array.from({ length: 50 }, (_, i) => ({ receivedAt: T0 + i * 10_000, raw: `f${i}` })),
    )
    const replay = new ReplaySource({ path, speed: 1 })
    const sink = collectingSink()
    await replay.start(sink)
    await sleep(20)
    await replay.stop()
    await replay.finished
    expect(sink.frames.length).toBe(1)
    expect(replay.status()).toMatchObject({ state: 'closed', detail: 'stopped' })
  })

  it('fails in words for a missing file', async () => {
    const replay = new ReplaySource({ path: join(dir, 'missing.jsonl') })
    await expect(replay.start(collectingSink())).rejects.toThrow(
      /cannot read the recording .*missing\.jsonl: ENOENT/,
    )
    await expect(replay.finished).rejects.toThrow(/ENOENT/)
    expect(replay.status().state).toBe('failed')
  })

  it('ignores subscriptions and says so', async () => {
    const path = await fixture([{ receivedAt: T0, raw: tradeRaw(1) }])
    const replay = new ReplaySource({ path, speed: 'max', symbols: ['AMZN'] })
    replay.subscribe('MSFT')
    replay.unsubscribe('AMZN')
    expect(replay.symbols()).toEqual(['MSFT'])
    expect(replay.status().detail).toMatch(/subscriptions are ignored/)
    const sink = collectingSink()
    await replay.start(sink)
    await replay.finished
    expect(sink.raws()).toEqual([tradeRaw(1)])
  })

  it('refuses a bad speed', () => {
    expect(() => new ReplaySource({ path: 'x', speed: 0 })).toThrow(/positive number or 'max'/)
    expect(() => new ReplaySource({ path: 'x', speed: Number.NaN })).toThrow(/speed/)
  })

  it('replays the committed fixture to its documented contents', async () => {
    const path = resolve(import.meta.dirname, '../../../../test/fixtures/finnhub-sample.jsonl')
    const replay = new ReplaySource({ path, speed: 'max' })
    const sink = collectingSink()
    await replay.start(sink)
    await replay.finished
    const counts = { trades: 0, itemRejects: 0, frameRejects: 0, pings: 0, errors: 0 }
    for (const raw of sink.raws()) {
      const parsed = parseFrame(raw)
      if (parsed.type === 'trades') {
        counts.trades += parsed.trades.length
        counts.itemRejects += parsed.rejects.length
      } else if (parsed.type === 'reject') counts.frameRejects++
      else if (parsed.type === 'ping') counts.pings++
      else counts.errors++
    }
    expect(counts).toEqual({ trades: 201, itemRejects: 1, frameRejects: 6, pings: 4, errors: 1 })
    expect(replay.progress()).toMatchObject({ frames: 58, badLines: 1 })
  })
})

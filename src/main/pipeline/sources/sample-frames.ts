import { DEFAULT_SYMBOLS } from '../../../shared/symbols'
import type { RecordedFrame } from './jsonl'
import { Market } from './simulator-market'

export interface SampleFramesOptions {
  /** exactly this many valid trades are generated */
  trades: number
  seed?: number
  symbols?: string[]
  tradesPerFrame?: [number, number]
  /** paces receivedAt, so a 1× replay runs at this rate */
  tradesPerSecond?: number
  startAt?: number
  /** a ping frame after every N trade frames (0: none) */
  pingEvery?: number
  /** a malformed frame after every N trade frames (0: none); see MALFORMED_FRAMES */
  malformedEvery?: number
}

/** Whole-frame rejects the parser must catch; each yields exactly one reject downstream. */
export const MALFORMED_FRAMES = [
  '{"type":"trade","data":[{"s":"AAPL"',
  'not json',
  '{"type":"trade"}',
  '{"type":"news","data":[]}',
  '[]',
]

/**
 * A deterministic recording for fixtures and the benchmark, generated without a socket: the
 * simulator's market, serialized as the simulator would send it. Lazy, so 1M trades cost no memory.
 */
export function* sampleFrames(opts: SampleFramesOptions): Generator<RecordedFrame> {
  const market = new Market(opts.seed ?? 1)
  const symbols = opts.symbols ?? DEFAULT_SYMBOLS
  const [min, max] = opts.tradesPerFrame ?? [1, 8]
  const rate = opts.tradesPerSecond ?? 1_000
  const start = opts.startAt ?? 1_714_000_000_000
  let made = 0
  let frames = 0
  let malformed = 0
  while (made < opts.trades) {
    const at = Math.round(start + (made * 1000) / rate)
    const size = Math.min(market.frameSize(min, max), opts.trades - made)
    const data = market.nextFrame(symbols, size, at)
    made += data.length
    frames++
    yield { receivedAt: at + 5, raw: JSON.stringify({ type: 'trade', data }) }
    if (opts.pingEvery && frames % opts.pingEvery === 0) yield { receivedAt: at + 5, raw: '{"type":"ping"}' }
    if (opts.malformedEvery && frames % opts.malformedEvery === 0) {
      yield { receivedAt: at + 5, raw: MALFORMED_FRAMES[malformed++ % MALFORMED_FRAMES.length] as string }
    }
  }
}

// Realistic trades straight into a schema, for the tests and the bench alike (dev/README.md).
import type pg from 'pg'
import type { TradeRow } from '../src/main/pipeline/record-codec'
import { Market } from '../src/main/pipeline/sources/simulator-market'
import { TradeIds } from '../src/main/pipeline/trade-id'
import { writeBatch } from '../src/main/pipeline/consumer/writer'
import { DEFAULT_SYMBOLS } from '../src/shared/symbols'

export interface RealisticTradesOptions {
  trades: number
  /** trades per second of trade time; the Demo's bench rate by default */
  rate?: number
  seed?: number
  /**
   * Stream time between two fetches of the consumer: every partition's trades of a fetch go in as
   * one batch, as a running writer gets them (default 100 ms). Catching up a backlog instead gives
   * large batches per partition that overlap in time, and an index about 15 bytes per trade larger.
   */
  fetchMs?: number
  onProgress?: (written: number) => void
}

const KAFKA_PARTITIONS = 3

/**
 * Writes `trades` trades as the Demo makes them (the simulator's market: the assignment's four
 * symbols and weights, bursts of 2–8 trades per frame, repeats within a burst, stock conditions),
 * each frame stamped `rate` trades/s after the last, our producer's ids, three Kafka partitions
 * keyed by symbol, through writeBatch in fetches, so the rows, keys and index fill are the real ones.
 */
export async function writeRealisticTrades(pool: pg.Pool, opts: RealisticTradesOptions): Promise<void> {
  const market = new Market(opts.seed ?? 13)
  const ids = new TradeIds()
  const rate = opts.rate ?? 4_000
  const fetchMs = opts.fetchMs ?? 100
  const fetched: TradeRow[][] = Array.from({ length: KAFKA_PARTITIONS }, () => [])
  const offsets = new Array<number>(KAFKA_PARTITIONS).fill(0)
  const partitionOf = new Map(DEFAULT_SYMBOLS.map((s, i) => [s, i % KAFKA_PARTITIONS]))
  let now = Date.UTC(2026, 11, 1, 20)
  let nextFetch = now + fetchMs
  let made = 0
  let written = 0
  // The rows in the order a live writer inserts them: fetch by fetch, each fetch partition by
  // partition. Several fetches share one writeBatch (one INSERT keeps its rows' order), so a
  // Demo-rate run of a million trades does not take a million round trips.
  let ordered: TradeRow[] = []
  const fetch = (): void => {
    for (let p = 0; p < KAFKA_PARTITIONS; p++) {
      for (const r of fetched[p]!) ordered.push(r)
      fetched[p] = []
    }
  }
  const write = async (): Promise<void> => {
    fetch()
    if (ordered.length === 0) return
    written += (await writeBatch(pool, ordered, [])).inserted
    ordered = []
    opts.onProgress?.(written)
  }
  while (made < opts.trades) {
    if (now >= nextFetch) {
      fetch()
      if (ordered.length >= 5_000) await write()
      nextFetch = now + fetchMs
    }
    const frame = market.nextFrame(DEFAULT_SYMBOLS, Math.min(market.frameSize(2, 8), opts.trades - made), now)
    const prefix = ids.nextFrame()
    for (const [i, t] of frame.entries()) {
      const p = partitionOf.get(t.s) ?? 0
      fetched[p]!.push({
        tradeId: prefix + i,
        recordStamp: now,
        symbol: t.s,
        price: t.p,
        volume: t.v,
        conditions: t.c ?? null,
        tradedAt: t.t,
        receivedAt: now,
        consumedAt: now + 3,
        topic: 'trades',
        partition: p,
        offset: String(offsets[p]!++),
      })
    }
    made += frame.length
    now += Math.max(1, Math.round((frame.length * 1000) / rate))
  }
  await write()
}

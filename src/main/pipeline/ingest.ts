import type { Reject } from '../../shared/trade'
import { parseFrame } from './sources/frame-parser'
import type { FrameSink } from './sources/source'
import type { TradeProducer } from './producer'

export interface IngestCounters {
  frames: number
  trades: number
  pings: number
  /** frames and trade items that went to rejects */
  rejected: number
}

/**
 * The one place where raw frames become trades: valid trades go to the producer, anything that
 * cannot be parsed or validated goes to rejects with its raw text, and Finnhub's error frames
 * become alerts. Nothing here awaits, so the source is never held up per frame.
 */
export class Ingest implements FrameSink {
  readonly counters: IngestCounters = { frames: 0, trades: 0, pings: 0, rejected: 0 }

  constructor(
    private readonly producer: Pick<TradeProducer, 'enqueue' | 'drain'>,
    private readonly onReject: (r: Reject) => void,
    private readonly onFeedError: (msg: string) => void,
  ) {}

  frame(raw: string, receivedAt: number): boolean {
    this.counters.frames++
    const parsed = parseFrame(raw)
    switch (parsed.type) {
      case 'trades':
        for (const r of parsed.rejects) this.reject(r.raw, r.reason, receivedAt)
        if (parsed.trades.length === 0) return true
        this.counters.trades += parsed.trades.length
        return this.producer.enqueue(parsed.trades, receivedAt)
      case 'ping':
        this.counters.pings++
        return true
      case 'error':
        this.onFeedError(parsed.msg)
        return true
      case 'reject':
        this.reject(raw, parsed.reason, receivedAt)
        return true
    }
  }

  drain(): Promise<void> {
    return this.producer.drain()
  }

  private reject(raw: string, reason: string, at: number): void {
    this.counters.rejected++
    this.onReject({ raw, reason, stage: 'source', rejectedAt: at })
  }
}

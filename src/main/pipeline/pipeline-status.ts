import type { ConsumerHealth, FeedError, PipelineState, PipelineStatus } from '../../shared/status'
import { NO_CONSUMER_STATS, recordBytesOf, type ConsumerStats } from './consumer/consumer'
import { NO_CONSUMER_HEALTH } from './consumer/consumer-thread'

/** What a run knows of itself, as Pipeline.status() reads it from its parts. */
export interface RunReading {
  state: PipelineState
  detail: string | null
  source: PipelineStatus['source']
  symbols: string[]
  /** trades the feed took in */
  received: number
  producer: { produced: number; dropped: number; buffered: number }
  rejects: { dropped: number; stored: number }
  consumer: ConsumerStats
  health: ConsumerHealth
  rates: PipelineStatus['rates']
  lag: number | null
  maxPartitionLag: number | null
  retentionBytes: number | null
  feedErrors: FeedError[]
}

/** Where the data goes and how full the disk is: the same for a run and for no run. */
export type StatusSurroundings = Pick<PipelineStatus, 'kafka' | 'postgres' | 'storage'>

/** The one shape of a status, running or idle (idleStatus below). */
export function pipelineStatus(run: RunReading, around: StatusSurroundings): PipelineStatus {
  const p = run.producer
  const c = run.consumer
  return {
    state: run.state,
    detail: run.detail,
    source: run.source,
    symbols: run.symbols,
    counters: {
      received: run.received,
      produced: p.produced,
      dropped: p.dropped + run.rejects.dropped,
      buffered: p.buffered,
      consumed: c.consumed,
      written: c.written,
      duplicates: c.duplicates,
      rejected: run.rejects.stored + c.rejected,
    },
    rates: { ...run.rates },
    lag: run.lag,
    backlog:
      run.maxPartitionLag === null
        ? null
        : {
            partitionLag: run.maxPartitionLag,
            recordBytes: recordBytesOf(c),
            retentionBytes: run.retentionBytes,
          },
    feedErrors: [...run.feedErrors],
    consumer: { ...run.health },
    kafka: around.kafka,
    postgres: around.postgres,
    storage: around.storage,
    at: Date.now(),
  }
}

/**
 * The status while no pipeline exists (before the first start): nothing counted, nothing known.
 * `symbols` are those the next start would subscribe to.
 */
export function idleStatus(symbols: string[], around: StatusSurroundings): PipelineStatus {
  return pipelineStatus(
    {
      state: 'stopped',
      detail: null,
      source: null,
      symbols,
      received: 0,
      producer: { produced: 0, dropped: 0, buffered: 0 },
      rejects: { dropped: 0, stored: 0 },
      consumer: NO_CONSUMER_STATS,
      health: NO_CONSUMER_HEALTH,
      rates: { received: 0, written: 0 },
      lag: null,
      maxPartitionLag: null,
      retentionBytes: null,
      feedErrors: [],
    },
    around,
  )
}

import type { StorageStatus } from './storage'

/** What the pipeline reports about itself: the status line of the CLI and the status bar of the UI. */

export type SourceKind = 'finnhub' | 'demo' | 'replay'

export type BrokerState = 'starting' | 'ready' | 'failed'

export type PipelineState = 'stopped' | 'starting' | 'running' | 'draining' | 'failed'

export interface PipelineCounters {
  /** trades parsed from the source's frames */
  received: number
  /** trades the broker acknowledged */
  produced: number
  /** trades dropped because the producer's buffer was full */
  dropped: number
  /** trades waiting in the producer's buffer */
  buffered: number
  /** Kafka records consumed */
  consumed: number
  /** rows new to `trades` */
  written: number
  /** redelivered records that were already stored: no-ops */
  duplicates: number
  /** frames, trades and records stored in `rejects` */
  rejected: number
}

export interface PipelineStatus {
  state: PipelineState
  /** a sentence for humans: why it failed, what it is waiting for */
  detail: string | null
  source: { kind: SourceKind; state: string; detail: string | null; reconnects: number } | null
  symbols: string[]
  counters: PipelineCounters
  /** per second, over the last status interval */
  rates: { received: number; written: number }
  /** Kafka records not yet committed by the writer; null until known */
  lag: number | null
  /** the writer's lag against what the topic keeps; null until known */
  backlog: TopicBacklog | null
  /** Finnhub's error frames, newest last (at most 20); `symbol` when the message names one */
  feedErrors: FeedError[]
  /** the Kafka → PostgreSQL writer's health, as its supervisor sees it */
  consumer: ConsumerHealth
  kafka: {
    /** where it answers; empty while the managed broker has not answered yet */
    bootstrap: string
    managed: boolean
    topic: string
    /** the broker's start: the page serves stored data while the managed broker comes up */
    state: BrokerState
    /** while starting, its last step; once failed, why */
    detail: string | null
  }
  postgres: { target: string; embedded: boolean }
  /** disk use, measured every minute and after each retention run; null until first measured */
  storage: StorageStatus | null
  /** ms epoch */
  at: number
}

/**
 * The writer's backlog against the topic's size limit: retention.bytes applies per partition, and
 * beyond it Kafka deletes the oldest records whether the writer has read them or not.
 */
export interface TopicBacklog {
  /** records not yet committed on the partition furthest behind */
  partitionLag: number
  /** estimated bytes a record takes in the log; null before the writer has read any */
  recordBytes: number | null
  /** the topic's retention.bytes per partition; null when unlimited or not known */
  retentionBytes: number | null
}

export type ConsumerState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed'

export interface ConsumerHealth {
  state: ConsumerState
  /** ms epoch the last batch was committed; null before the first */
  lastBatchAt: number | null
  /** the latest failure in words (a crash, a stall, a failed write); kept after recovery */
  lastError: string | null
  /** how often the consumer (or its thread) was restarted after a crash, stop or stall */
  restarts: number
}

export interface FeedError {
  symbol: string | null
  message: string
  /** ms epoch */
  at: number
}

export type AlertLevel = 'info' | 'warn' | 'error'

/**
 * What raises an alert. Each rule but `notice` is a condition: raised when it starts to hold,
 * cleared when it stops. A notice (a failure in words) is raised once and never clears.
 */
export const ALERT_RULES = [
  'data_loss',
  'silent_symbol',
  'latency',
  'rejects',
  'drops',
  'feed',
  'kafka_backlog',
  'notice',
] as const
export type AlertRule = (typeof ALERT_RULES)[number]

/** Each rule's name as the user sees it: the notification settings, a notification's title. */
export const ALERT_RULE_LABELS: Record<AlertRule, string> = {
  data_loss: 'Data loss',
  silent_symbol: 'Silent symbol',
  latency: 'Latency',
  rejects: 'Rejects',
  drops: 'Producer drops',
  feed: 'Feed disconnected',
  kafka_backlog: 'Kafka backlog',
  notice: 'Notices',
}

export interface Alert {
  /** rule and subject ("silent_symbol:AAPL"): one id for as long as the condition holds */
  id: string
  rule: AlertRule
  level: AlertLevel
  message: string
  /** ms epoch it was raised */
  at: number
  /** ms epoch its condition cleared; null while it holds, and always for a notice */
  clearedAt: number | null
}

/** A condition that still holds. A notice is an event, not a condition: it is never "active". */
export function isActive(a: Alert): boolean {
  return a.clearedAt === null && a.rule !== 'notice'
}

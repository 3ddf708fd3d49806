/** What the pipeline reports about itself: the status line of the CLI and the status bar of the UI. */

export type SourceKind = 'finnhub' | 'demo' | 'replay'

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
  kafka: { bootstrap: string; managed: boolean; topic: string }
  postgres: { target: string; embedded: boolean }
  /** ms epoch */
  at: number
}

export type AlertLevel = 'info' | 'warn' | 'error'

export interface Alert {
  level: AlertLevel
  message: string
  /** ms epoch */
  at: number
}

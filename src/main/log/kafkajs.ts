import { logLevel, type LogEntry } from 'kafkajs'
import type { Logger } from 'pino'
import type { LogLevel } from './levels'

export type KafkaLevelName = 'error' | 'warn' | 'info' | 'debug'

/** The kafkajs level that lets through what a log at `level` keeps (kafkajs has no trace nor fatal). */
export function kafkaLevelFor(level: LogLevel | 'silent'): logLevel {
  switch (level) {
    case 'silent':
      return logLevel.NOTHING
    case 'fatal':
    case 'error':
      return logLevel.ERROR
    case 'warn':
      return logLevel.WARN
    case 'info':
      return logLevel.INFO
    default:
      return logLevel.DEBUG
  }
}

export function kafkaLevelName(level: logLevel): KafkaLevelName {
  if (level <= logLevel.ERROR) return 'error'
  if (level === logLevel.WARN) return 'warn'
  return level === logLevel.INFO ? 'info' : 'debug'
}

/** One kafkajs entry as one log line: its namespace and structured fields kept, its own stamp dropped. */
export function writeKafkaEntry(log: Logger, entry: LogEntry, bindings: Record<string, unknown> = {}): void {
  const {
    message,
    timestamp: _ts,
    logger: _logger,
    ...fields
  } = entry.log as LogEntry['log'] & {
    logger?: unknown
  }
  log[kafkaLevelName(entry.level)]({ ...bindings, namespace: entry.namespace, ...fields }, String(message))
}

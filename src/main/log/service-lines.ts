import type { LogLevel } from './levels'

/**
 * The level of one line a child service printed (the broker's log4j output, PostgreSQL's server
 * log): they name it in words, in their own vocabularies.
 */
export function levelOfLine(line: string): LogLevel {
  if (/\b(FATAL|PANIC|ERROR|SEVERE)\b/.test(line)) return 'error'
  if (/\bWARN(ING)?\b/.test(line)) return 'warn'
  if (/\b(DEBUG\d?|TRACE)\b/.test(line)) return 'debug'
  return 'info'
}

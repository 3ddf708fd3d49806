import type { StartView } from '../base/start-gate'

/**
 * The managed broker's start in the user's words, for what needs Kafka before it answers: the
 * status while a start waits for it, and the answer of a command that cannot wait.
 */
export function brokerWords(view: StartView): string {
  if (view.state === 'failed') return `the Kafka broker could not start: ${view.detail ?? 'see the log'}`
  if (view.state === 'ready') return 'the Kafka broker is up'
  return view.detail ? `starting Kafka… (${view.detail})` : 'starting Kafka…'
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i

/**
 * True when a connection test's typed brokers can only mean the broker Tickflow runs on this
 * machine (or the field is still empty, as it is while that broker has no address yet).
 */
export function meansLocalBroker(text: string): boolean {
  const hosts = text
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
  return hosts.every((h) => LOOPBACK.test(h))
}

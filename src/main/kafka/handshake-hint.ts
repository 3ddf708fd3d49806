import type { KafkaConnection } from './client'

/**
 * What a user needs to hear when a broker hangs up on a client that lacks its security settings
 * (issue 15, L10). A SASL listener closes the connection at the client's first request that is not
 * part of the handshake, and a TLS one at its first plain byte; kafkajs then says only "Closed
 * connection", which names neither the cause nor the cure.
 */
export const HANDSHAKE_HINT =
  'the broker closed the connection during the handshake: it may require SASL or TLS. Set ' +
  'KAFKA_SSL=true for TLS, and KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512), ' +
  'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD for SASL'

// kafkajs wraps what it retried: the first error stays in `originalError` or `cause`. A string is
// an error's message that crossed a thread.
function* chain(err: unknown): Generator<{ name?: string; message?: string }> {
  if (typeof err === 'string') yield { message: err }
  const seen = new Set<unknown>()
  for (let e = err; e && typeof e === 'object' && !seen.has(e);) {
    seen.add(e)
    yield e as { name?: string; message?: string }
    const next = e as { originalError?: unknown; cause?: unknown }
    e = next.originalError ?? next.cause
  }
}

/** True when `err` is, or wraps, a connection the broker closed on kafkajs. */
export function isClosedConnection(err: unknown): boolean {
  for (const e of chain(err)) {
    if (e.name === 'KafkaJSConnectionClosedError' || /\bClosed connection\b/.test(e.message ?? ''))
      return true
  }
  return false
}

/**
 * The hint for `err` on `conn`, or null when it does not apply: another error, or a connection
 * that already uses both TLS and SASL (then the settings are there, and a wrong one says so itself).
 */
export function handshakeHint(err: unknown, conn: Pick<KafkaConnection, 'ssl' | 'sasl'>): string | null {
  if (conn.ssl && conn.sasl) return null
  return isClosedConnection(err) ? HANDSHAKE_HINT : null
}

/** `message`, followed by the hint when one applies and it is not there yet. */
export function withHandshakeHint(
  message: string,
  err: unknown,
  conn: Pick<KafkaConnection, 'ssl' | 'sasl'>,
): string {
  const hint = handshakeHint(err, conn)
  return hint && !message.includes(hint) ? `${message} (${hint})` : message
}

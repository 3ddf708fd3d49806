import type { KafkaMessage, Message } from 'kafkajs'
import { finnhubTradeSchema, type FinnhubTrade, type Reject } from '../../shared/trade'

/** A trade as the writer stores it: ms epochs, and the Kafka coordinates that make it unique. */
export interface TradeRow {
  symbol: string
  price: number
  volume: number
  conditions: string[] | null
  tradedAt: number
  receivedAt: number
  consumedAt: number
  topic: string
  partition: number
  /** Kafka offsets are int64; kept as a decimal string as kafkajs gives them */
  offset: string
}

/**
 * The Kafka record for one trade: keyed by symbol (so a symbol's trades stay ordered in one
 * partition), the value in Finnhub's own field names, the receive time as the record timestamp.
 */
export function encodeTrade(trade: FinnhubTrade, receivedAt: number): Message {
  const value: FinnhubTrade = { s: trade.s, p: trade.p, t: trade.t, v: trade.v, c: trade.c ?? null }
  return { key: trade.s, value: JSON.stringify(value), timestamp: String(receivedAt) }
}

export type Decoded = { ok: true; row: TradeRow } | { ok: false; reject: Reject }

/**
 * Turns one consumed record into a row, or into a reject with its raw text and reason.
 * Records from other Finnhub-shaped producers go in: extra fields are ignored, and a record
 * without a usable timestamp is taken as received when it was consumed.
 */
export function decodeRecord(
  topic: string,
  partition: number,
  message: Pick<KafkaMessage, 'value' | 'timestamp' | 'offset'>,
  consumedAt: number,
): Decoded {
  const raw = message.value?.toString('utf8') ?? ''
  const kafka = { topic, partition, offset: message.offset }
  const reject = (reason: string): Decoded => ({
    ok: false,
    reject: { raw, reason, stage: 'consumer', rejectedAt: consumedAt, kafka },
  })
  if (message.value === null) return reject('record has no value (tombstone)')
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch {
    return reject('value is not JSON')
  }
  const parsed = finnhubTradeSchema.safeParse(json)
  if (!parsed.success) {
    return reject(
      'value is not a Finnhub trade: ' +
        parsed.error.issues.map((i) => `${i.path.join('.') || 'value'} ${i.message}`).join('; '),
    )
  }
  const t = parsed.data
  const stamp = Number(message.timestamp)
  const receivedAt = Number.isFinite(stamp) && stamp > 0 ? stamp : consumedAt
  return {
    ok: true,
    row: {
      symbol: t.s,
      price: t.p,
      volume: t.v,
      conditions: t.c ?? null,
      tradedAt: t.t,
      receivedAt,
      consumedAt,
      topic,
      partition,
      offset: message.offset,
    },
  }
}

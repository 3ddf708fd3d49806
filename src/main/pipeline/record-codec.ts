import type { KafkaMessage, Message } from 'kafkajs'
import { finnhubTradeSchema, type FinnhubTrade, type Reject } from '../../shared/trade'
import { TRADE_ID_FIELD, tradeIdOf } from './trade-id'

/** A trade as the writer stores it: ms epochs, its identity, and the Kafka record it came in. */
export interface TradeRow {
  /** the id our producer gave the trade (the value's tf_id); null in another producer's record */
  tradeId: string | null
  /**
   * The record's own timestamp, -1 if it has none. Without a tradeId, the writer identifies the
   * trade by its coordinates, this stamp and its content (sql/007: a recreated topic reuses offsets).
   */
  recordStamp: number
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
 * partition), the value in Finnhub's own field names plus its id as tf_id (see trade-id.ts), the
 * receive time as the record timestamp. Without an id the record is like another producer's.
 */
export function encodeTrade(trade: FinnhubTrade, receivedAt: number, id?: string): Message {
  // JSON.stringify leaves an undefined id out.
  const value = { s: trade.s, p: trade.p, t: trade.t, v: trade.v, c: trade.c ?? null, [TRADE_ID_FIELD]: id }
  return { key: trade.s, value: JSON.stringify(value), timestamp: String(receivedAt) }
}

export type Decoded = { ok: true; row: TradeRow } | { ok: false; reject: Reject }

/**
 * Turns one consumed record into a row, or into a reject with its raw text and reason.
 * Records from other Finnhub-shaped producers go in: extra fields are ignored, a record without
 * a tf_id gets tradeId null (the writer then names it by its coordinates), and a record without a
 * usable timestamp is taken as received when it was consumed.
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
      // (a schema-valid value is an object)
      tradeId: tradeIdOf(json as object),
      // a stamp PostgreSQL's bigint cannot hold would fail the batch's insert again and again
      recordStamp: Number.isSafeInteger(stamp) ? stamp : -1,
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

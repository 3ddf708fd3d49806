import { randomBytes } from 'node:crypto'

/**
 * The field of a record's value that carries the trade's identity, beside Finnhub's {s, p, t, v, c}
 * (DESIGN invariant 5 allows extras). In the value rather than a header: kafkajs encodes and decodes
 * a header with several allocations per record, about 2–3 µs per trade here, where the field costs
 * under 1 µs (stringify and parse). Named so that no Finnhub field can clash with it.
 */
export const TRADE_ID_FIELD = 'tf_id'

/**
 * What a tf_id may look like. Another producer may set its own ids here, and anything else is ignored
 * (the record is then identified by its coordinates, see sql/007). '/' is left out on purpose: the ids
 * PostgreSQL makes itself contain it, so no tf_id can collide with them.
 */
const TRADE_ID = /^[A-Za-z0-9._:-]{1,100}$/

const SESSION = /^[A-Za-z0-9_-]{1,40}$/

/** The tf_id of a parsed record value, or null when it has none (or one that is not an id). */
export function tradeIdOf(value: object): string | null {
  const id = (value as Record<string, unknown>)[TRADE_ID_FIELD]
  return typeof id === 'string' && TRADE_ID.test(id) ? id : null
}

/** Width of the frame number: fixed, so a session's ids sort in frame order (see TradeIds). */
const FRAME_DIGITS = 8
const MAX_FRAME = 36 ** FRAME_DIGITS - 1

/**
 * Names every trade once, where it becomes a Kafka record: `<session>.<frame>.<index>`. The session
 * is random per producer (8 bytes, so two processes never share one), the frame counts the frames
 * this session enqueued, and the index is the trade's place in its frame. Identical trades in one
 * frame therefore get distinct ids, and a retried send carries the ids it had, so PostgreSQL's unique
 * key on the id (sql/007; stored as trade_key, sql/010) stores each trade once however often Kafka holds it.
 *
 * The frame number is base 36 in a fixed width, so a session's ids sort in the order they were made.
 * (The unique index no longer depends on that: since sql/010 it leads with the trade time.)
 */
export class TradeIds {
  readonly session: string
  private frame = 0

  constructor(session: string = randomBytes(8).toString('base64url')) {
    if (!SESSION.test(session)) throw new Error(`invalid trade id session "${session}"`)
    this.session = session
  }

  /** The prefix of the next frame's ids: its trade i is `prefix + i`. One string per frame, not per trade. */
  nextFrame(): string {
    // 2.8e12 frames: at 10,000 frames/s a session lasts about nine years.
    if (this.frame >= MAX_FRAME) throw new Error('trade id session exhausted; restart the producer')
    this.frame++
    return `${this.session}.${this.frame.toString(36).padStart(FRAME_DIGITS, '0')}.`
  }
}

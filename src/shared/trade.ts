import { z } from 'zod'
import { symbolSchema } from './symbols'

/**
 * One trade in Finnhub's own field names. This is also the Kafka record value, so any
 * Finnhub-shaped producer interoperates (DESIGN invariant 5). Extra fields are ignored.
 */
export const finnhubTradeSchema = z.object({
  s: symbolSchema,
  p: z.number().finite().nonnegative(),
  // ms epoch; anything below 1e12 is seconds (or garbage), which would put trades in 1970. A bound
  // above keeps a garbage stamp from becoming a row PostgreSQL refuses, which would stall the writer.
  t: z.number().int().min(1e12, 't must be a millisecond epoch').max(4_102_444_800_000, 't is after 2100'),
  // 0 is legal: FX and crypto price updates carry no volume.
  v: z.number().finite().nonnegative(),
  // PostgreSQL text cannot hold NUL: such a code would fail the whole batch's insert, again and again.
  // Codes are stored as one text separated by spaces (sql/013), so a code is one non-empty word.
  c: z
    .array(
      z
        .string()
        .refine((s) => !s.includes('\u0000'), 'condition codes must not contain NUL')
        .refine((s) => /^\S+$/.test(s), 'a condition code is one word: not empty, no spaces'),
    )
    .nullish(),
})

export type FinnhubTrade = z.infer<typeof finnhubTradeSchema>

/** A trade the source received, with the ms epoch at which our process got its frame. */
export interface ReceivedTrade {
  trade: FinnhubTrade
  receivedAt: number
}

/** Where something was rejected: the source's frame parser or the consumer's record check. */
export type RejectStage = 'source' | 'consumer'

/** Something that could not be parsed or validated. Stored in `rejects`, never dropped. */
export interface Reject {
  raw: string
  reason: string
  stage: RejectStage
  /** ms epoch */
  rejectedAt: number
  kafka?: { topic: string; partition: number; offset: string }
}

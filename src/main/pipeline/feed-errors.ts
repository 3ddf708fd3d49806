import type { FeedError } from '../../shared/status'

/** How many of Finnhub's error frames the status keeps. */
export const FEED_ERRORS_KEPT = 20

/**
 * Finnhub's error frame as the dashboard shows it: against the symbol when the message names one
 * ("Invalid symbol NOPE"), else for the whole feed ("Subscribing to too many symbols").
 */
export function feedErrorOf(message: string, at: number): FeedError {
  const m = /^Invalid symbol\s+(.+?)\s*$/i.exec(message)
  return { symbol: m?.[1] ?? null, message: message.trim(), at }
}

/** Appends, keeping the newest FEED_ERRORS_KEPT; a repeat of the newest message only moves its time. */
export function addFeedError(list: FeedError[], e: FeedError): FeedError[] {
  const last = list[list.length - 1]
  if (last && last.message === e.message && last.symbol === e.symbol) return [...list.slice(0, -1), e]
  return [...list, e].slice(-FEED_ERRORS_KEPT)
}

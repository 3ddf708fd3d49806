import { MAX_RANGE_DAYS, MAX_RANGE_MS } from '@shared/windows'

/** Times show in the browser's zone by default, or in UTC. */
export type TimeZoneMode = 'local' | 'utc'

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** A ms epoch as a datetime-local input's value ("2024-05-01T13:45") in the chosen zone. */
export function toInputValue(ms: number, tz: TimeZoneMode): string {
  const d = new Date(ms)
  const [y, mo, da, h, mi] =
    tz === 'utc'
      ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()]
      : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()]
  return `${pad(y, 4)}-${pad(mo)}-${pad(da)}T${pad(h)}:${pad(mi)}`
}

/** A datetime-local value read in the chosen zone; null when it is not a date and time. */
export function fromInputValue(value: string, tz: TimeZoneMode): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value.trim())
  if (!m) return null
  const [y, mo, d, h, mi, s, frac] = m.slice(1).map((p) => (p === undefined ? 0 : Number(p))) as number[]
  const ms = Math.round(Number(`0.${frac ?? 0}`) * 1000)
  const t =
    tz === 'utc'
      ? Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms)
      : new Date(y!, mo! - 1, d!, h!, mi!, s!, ms).getTime()
  return Number.isFinite(t) && t >= 0 ? t : null
}

export type RangeCheck = { ok: true; from: number; to: number } | { ok: false; message: string }

/** Checks the custom range the user typed: both set, end after start, at most MAX_RANGE_DAYS. */
export function checkCustomRange(fromText: string, toText: string, tz: TimeZoneMode): RangeCheck {
  const from = fromInputValue(fromText, tz)
  const to = fromInputValue(toText, tz)
  if (from === null) return { ok: false, message: 'set the start date and time' }
  if (to === null) return { ok: false, message: 'set the end date and time' }
  if (to <= from) return { ok: false, message: 'the end must be after the start' }
  if (to - from > MAX_RANGE_MS)
    return { ok: false, message: `a custom range spans at most ${MAX_RANGE_DAYS} days` }
  return { ok: true, from, to }
}

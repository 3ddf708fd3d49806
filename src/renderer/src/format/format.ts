/**
 * Display formatting for the dashboard, all through Intl: times in the user's zone or UTC (UTC is
 * always labelled, since stored times are UTC and a bare clock would be ambiguous), numbers in the
 * user's locale. Formatters are cached: axis labels and tooltips call these many times a second.
 */

export interface TimeDisplay {
  /** 'local': the browser's zone; 'utc': UTC, labelled as such */
  timeZone: 'local' | 'utc'
  /** BCP 47 locale, e.g. navigator.language */
  locale: string
}

// Keyed by every option that shapes the formatter; the key space is tiny (a few locales and modes).
const dateFormats = new Map<string, Intl.DateTimeFormat>()
const numberFormats = new Map<string, Intl.NumberFormat>()

/** A locale Intl accepts: a malformed tag would throw on every label, so fall back to the default. */
function safeLocale(locale: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(locale)[0]
  } catch {
    return undefined
  }
}

function dateFormat(zone: TimeDisplay, withDate: boolean): Intl.DateTimeFormat {
  const key = `${zone.locale}|${zone.timeZone}|${withDate}`
  let f = dateFormats.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(safeLocale(zone.locale), {
      timeZone: zone.timeZone === 'utc' ? 'UTC' : undefined,
      ...(withDate ? { month: 'short', day: 'numeric' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    dateFormats.set(key, f)
  }
  return f
}

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`
  let f = numberFormats.get(key)
  if (!f) {
    f = new Intl.NumberFormat(safeLocale(locale), options)
    numberFormats.set(key, f)
  }
  return f
}

/** A clock time (with the day when asked) in the chosen zone; UTC times end in " UTC". */
export function formatTime(ms: number, zone: TimeDisplay, withDate = false): string {
  const text = dateFormat(zone, withDate).format(ms)
  return zone.timeZone === 'utc' ? `${text} UTC` : text
}

/** A clock time without the zone label: for axis ticks, where the axis name carries "UTC" once. */
export function formatAxisTime(ms: number, zone: TimeDisplay, withDate = false): string {
  return dateFormat(zone, withDate).format(ms)
}

/** A number in the locale's digits and separators, with at most maxFractionDigits decimals. */
export function formatNumber(n: number, locale: string, maxFractionDigits = 2): string {
  return numberFormat(locale, { maximumFractionDigits: maxFractionDigits }).format(n)
}

/** A quantity such as a volume: two decimals, or three significant digits below 1 (crypto volumes). */
export function formatAmount(n: number, locale: string): string {
  const abs = Math.abs(n)
  if (abs > 0 && abs < 1) return numberFormat(locale, { maximumSignificantDigits: 3 }).format(n)
  return formatNumber(n, locale, 2)
}

/** A short number for axis labels: 12K, 1.2M, and 0.02 for the small volumes of crypto (per locale). */
export function formatCompact(n: number, locale: string): string {
  if (Math.abs(n) < 1) return numberFormat(locale, { maximumSignificantDigits: 2 }).format(n)
  return numberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(n)
}

/** A fraction as a percentage: 0.467 → "46.7%" (en-US), "46,7 %" (de-DE). */
export function formatPercent(fraction: number, locale: string, maxFractionDigits = 1): string {
  return numberFormat(locale, { style: 'percent', maximumFractionDigits: maxFractionDigits }).format(fraction)
}

/**
 * A price with the decimals its magnitude needs: 60,123.45 for BTC, 171.46 for a stock, 1.08563
 * for FX, and six significant digits below 1. Two decimals at least, as prices are read.
 */
export function formatPrice(p: number, locale: string): string {
  const abs = Math.abs(p)
  if (abs > 0 && abs < 1) return numberFormat(locale, { maximumSignificantDigits: 6 }).format(p)
  const intDigits = abs < 1 ? 1 : Math.floor(Math.log10(abs)) + 1
  const decimals = Math.min(8, Math.max(2, 6 - intDigits))
  return numberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: decimals }).format(p)
}

/**
 * A duration: ms below 10 s ("312 ms", "2.5 ms"), seconds below 2 minutes ("12.3 s"), then minutes
 * and seconds ("3 min 58 s") and hours and minutes ("2 h 5 min").
 */
export function formatMs(ms: number, locale: string): string {
  const abs = Math.abs(ms)
  if (abs < 10_000) return `${formatNumber(ms, locale, abs < 10 ? 2 : abs < 100 ? 1 : 0)} ms`
  if (abs < 120_000) return `${formatNumber(ms / 1000, locale, 1)} s`
  const sign = ms < 0 ? '-' : ''
  const totalS = Math.round(abs / 1000)
  if (totalS < 3600) return `${sign}${Math.floor(totalS / 60)} min ${totalS % 60} s`
  const totalMin = Math.round(totalS / 60)
  return `${sign}${formatNumber(Math.floor(totalMin / 60), locale, 0)} h ${totalMin % 60} min`
}

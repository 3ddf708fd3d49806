import { stringify, type Stringifier } from 'csv-stringify'
import { stringify as stringifySync } from 'csv-stringify/sync'

/**
 * Every CSV we write goes through csv-stringify (adaltas/node-csv, the companion of csv-parse):
 * - RFC 4180: CRLF line ends, and a field holding a comma, a quote, a CR or a LF is quoted, its
 *   quotes doubled;
 * - escape_formulas: a text cell starting with = + - @, a tab or a CR (or their full-width forms,
 *   which some spreadsheets also read as formulas) gets a leading ' so a spreadsheet shows it as text.
 *   Symbols and conditions come from the feed, so they are untrusted. Numbers pass as JS numbers,
 *   and the library leaves a negative number alone;
 * - a streaming Transform with backpressure, so a million rows never pile up in memory.
 * The KPI tables are built in JS anyway, so one writer serves both and both read the same way.
 */

/** A CSV cell before formatting: text is checked for formulas, numbers and booleans are not. */
export type Cell = string | number | boolean | null | undefined

const OPTIONS = {
  record_delimiter: 'windows',
  // Quote a bare LF or CR in a field too, not only the CRLF of record_delimiter.
  quote_record_delimiter: true,
  escape_formulas: true,
  cast: { boolean: (v: boolean): string => (v ? 'true' : 'false') },
} as const

/**
 * A stream of records in, CSV bytes out. The header goes in as the first record, so column names
 * are quoted and checked like any other cell.
 */
export function csvStringifier(): Stringifier {
  return stringify({ ...OPTIONS, readableHighWaterMark: 64 * 1024 })
}

/** A small table (a KPI view's) as one string, with the same rules. */
export function csvText(rows: readonly (readonly Cell[])[]): string {
  return stringifySync(rows as Cell[][], OPTIONS)
}

/** ms epoch → ISO-8601 UTC with milliseconds; null stays empty. */
export function isoCell(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

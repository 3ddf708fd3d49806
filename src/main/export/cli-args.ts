import { parseArgs } from 'node:util'
import { KPI_CSV_VIEWS, type CsvTable, type ExportRequest } from '../../shared/contract'
import { ExportArgError, exportRequestFrom } from './export-args'

// The flags of `npm run export` (src/main/export-cli.ts), apart from running it so tests import them.

export const EXPORT_USAGE = `Usage: npm run export -- --from TIME [--to TIME] --out FILE|- [options]
Writes trades (or one KPI view's table) as CSV. Opens only the database: no broker is started.
  --from TIME, --to TIME   the window [from, to): ISO-8601 with a zone (2024-05-01T12:00:00Z,
                           2024-05-01T14:00+02:00, or a date for its UTC midnight) or a ms epoch;
                           --to defaults to now
  --symbols "AAPL,…"       trades of these symbols only (default all); for --kpi data-loss, the
                           subscribed list whose missing symbols each window names
  --kpi VIEW               a KPI view's table instead of the trades, as the dashboard shows it:
                           ${KPI_CSV_VIEWS.join(', ')}
  --symbol SYMBOL          the volume trend's symbol (default the window's most traded)
  --out FILE|-             the CSV file (written whole or not at all), or - for stdout
  --quiet                  no progress on stderr
  --database-url URL       an external PostgreSQL (default: the embedded one; or DATABASE_URL)
  --schema NAME            PostgreSQL schema (default public)
  --data-dir DIR           where embedded Postgres and settings.json live
While the app runs on embedded Postgres, pass its --database-url (the status shows where it is).`

const flagSpec = {
  from: { type: 'string' },
  to: { type: 'string' },
  symbols: { type: 'string' },
  kpi: { type: 'string' },
  symbol: { type: 'string' },
  out: { type: 'string', short: 'o' },
  quiet: { type: 'boolean', short: 'q' },
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

export interface ExportCommand {
  request: ExportRequest
  /** a path, or '-' for stdout */
  out: string
  quiet: boolean
  db: { databaseUrl?: string; pgSchema?: string; dataDir?: string }
}

/** argv → what to export and where; throws ExportArgError naming the flag. `now` is --to's default. */
export function parseExportArgs(argv: string[], now = Date.now()): ExportCommand | 'help' {
  let values: ReturnType<typeof parseArgs<{ options: typeof flagSpec }>>['values']
  try {
    values = parseArgs({ args: argv, options: flagSpec, strict: true, allowPositionals: false }).values
  } catch (err) {
    throw new ExportArgError((err as Error).message)
  }
  if (values.help) return 'help'
  if (values.out === undefined || values.out === '')
    throw new ExportArgError('--out is required: a file, or - for stdout')
  const kpi = values.kpi
  if (kpi !== undefined && !(KPI_CSV_VIEWS as readonly string[]).includes(kpi))
    throw new ExportArgError(`--kpi: "${kpi}" is not a KPI view; one of ${KPI_CSV_VIEWS.join(', ')}`)
  const request = exportRequestFrom(
    {
      table: (kpi ?? 'trades') as CsvTable,
      from: values.from,
      to: values.to ?? String(now),
      symbols: values.symbols,
      symbol: values.symbol,
    },
    '--',
  )
  const db: ExportCommand['db'] = {}
  if (values['database-url']) db.databaseUrl = values['database-url']
  if (values.schema) db.pgSchema = values.schema
  if (values['data-dir']) db.dataDir = values['data-dir']
  return { request, out: values.out, quiet: values.quiet ?? false, db }
}

import type { Writable } from 'node:stream'
import type pg from 'pg'
import type { ExportRequest, ExportResult } from '../../shared/contract'
import { writeFileAtomically } from './csv-file'
import { writeKpiCsv, type KpiTableQuery } from './kpi-csv'
import { writeTradesCsv, type StreamOptions, type TradesQuery } from './trades-csv'

/** Refused because enough exports are running already; try again when one has finished. */
export class ExportBusyError extends Error {
  override name = 'ExportBusyError'
}

export interface CsvExporterOptions {
  /** exports that may run at once; each holds a connection of the shared pool (default 2) */
  maxConcurrent?: number
  /** the subscribed symbols, for a KPI table's data-loss windows when the request names none */
  defaultSymbols?: () => readonly string[]
}

/**
 * The core's CSV export, the same for every face: trades or a KPI view's table, streamed into any
 * Writable (browser mode's HTTP response, the CLI's stdout) or written to a file that appears only
 * when complete (the CLI's --out, the app's save dialog). A million-row export holds a pooled
 * connection for its whole run, so only a few may run at once and the pipeline's writer always
 * has connections left.
 */
export class CsvExporter {
  private running = 0
  private readonly max: number

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: CsvExporterOptions = {},
  ) {
    this.max = opts.maxConcurrent ?? 2
  }

  /** Streams the request's CSV into `out`; resolves with the data rows written. */
  async write(req: ExportRequest, out: Writable, opts: StreamOptions = {}): Promise<{ rows: number }> {
    const release = this.acquire()
    try {
      const table = req.table ?? 'trades'
      if (table === 'trades') return await writeTradesCsv(this.pool, tradesQuery(req), out, opts)
      const res = await writeKpiCsv(this.pool, this.kpiQuery(req), out, opts)
      opts.onProgress?.(res.rows)
      return res
    } finally {
      release()
    }
  }

  /** Writes the request's CSV to `path` through a temp file beside it; nothing appears on failure. */
  async toFile(
    req: ExportRequest,
    path: string,
    opts: Omit<StreamOptions, 'end'> = {},
  ): Promise<ExportResult> {
    const { value, bytes } = await writeFileAtomically(path, (out) => this.write(req, out, opts))
    return { path, rows: value.rows, bytes }
  }

  /** exports running now */
  active(): number {
    return this.running
  }

  private acquire(): () => void {
    if (this.running >= this.max)
      throw new ExportBusyError(`${this.max} exports are running already; try again when one has finished`)
    this.running++
    let released = false
    return () => {
      if (released) return
      released = true
      this.running--
    }
  }

  private kpiQuery(req: ExportRequest): KpiTableQuery {
    const view = req.table
    if (view === undefined || view === 'trades') throw new Error('not a KPI table')
    return {
      view,
      from: req.from,
      to: req.to,
      symbol: req.symbol,
      symbols: req.symbols ?? this.opts.defaultSymbols?.(),
    }
  }
}

function tradesQuery(req: ExportRequest): TradesQuery {
  return { from: req.from, to: req.to, symbols: req.symbols }
}

/** Writes the trades of a window to a CSV file (the CLI's and the app's main process's way in). */
export function exportTradesCsv(
  pool: pg.Pool,
  req: TradesQuery & { path: string } & Omit<StreamOptions, 'end'>,
): Promise<ExportResult> {
  const { path, signal, onProgress, ...q } = req
  return new CsvExporter(pool).toFile({ table: 'trades', ...q, symbols: q.symbols && [...q.symbols] }, path, {
    signal,
    onProgress,
  })
}

/** Writes one KPI view's table over a window to a CSV file. */
export function exportKpiCsv(
  pool: pg.Pool,
  req: KpiTableQuery & { path: string; signal?: AbortSignal },
): Promise<ExportResult> {
  const { path, signal, view, ...q } = req
  return new CsvExporter(pool).toFile({ table: view, ...q, symbols: q.symbols && [...q.symbols] }, path, {
    signal,
  })
}

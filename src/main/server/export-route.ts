import type { IncomingMessage, ServerResponse } from 'node:http'
import { csvTableOfPath, EXPORT_ROUTE, type ExportRequest } from '../../shared/contract'
import type { Core } from '../api/handlers'
import { ExportArgError, exportFileName, exportRequestFrom } from '../export/export-args'
import { unexpectedError } from '../api/dispatch'
import { ExportBusyError } from '../export/exporter'

/** What the download route needs of the core. */
export type CsvSource = Pick<Core, 'streamCsv'>

export function isExportPath(path: string): boolean {
  return path.startsWith(EXPORT_ROUTE)
}

/** A download's request from its path and query; throws ExportArgError with a sentence for the user. */
export function exportRequestOfUrl(path: string, query: URLSearchParams): ExportRequest {
  const table = csvTableOfPath(path)
  if (!table) throw new ExportArgError(`no such export: ${path}`)
  return exportRequestFrom({
    table,
    from: query.get('from') ?? undefined,
    to: query.get('to') ?? undefined,
    symbols: query.get('symbols') ?? undefined,
    symbol: query.get('symbol') ?? undefined,
  })
}

/**
 * GET /export/trades.csv?from=…&to=…&symbols=A,B and /export/kpi/<view>.csv?…: an authenticated
 * (the caller checked the token), streamed CSV download. The browser shows its own progress; a tab
 * that goes away aborts the export and frees its database connection. Errors before the first byte
 * get a status and a sentence; after it, the connection is cut so the download shows as failed
 * rather than as a short file.
 */
export async function serveExport(
  core: CsvSource,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  let request: ExportRequest
  try {
    request = exportRequestOfUrl(path, query)
  } catch (err) {
    if (err instanceof ExportArgError) {
      const status = csvTableOfPath(path) ? 400 : 404
      return plain(res, status, `${err.message}\n`)
    }
    throw err
  }
  res.statusCode = 200
  res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present')
  res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(request)}"`)
  res.setHeader('Cache-Control', 'no-store')
  if (req.method === 'HEAD') return void res.end()

  const abort = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new Error('the download was cancelled'))
  })
  try {
    await core.streamCsv(request, res, { signal: abort.signal })
  } catch (err) {
    // pipeline() destroys the response on a failure midway; only an early one can still answer.
    if (res.headersSent || res.destroyed || abort.signal.aborted) return void res.destroy()
    res.removeHeader('Content-Disposition')
    if (err instanceof ExportBusyError) {
      res.setHeader('Retry-After', '5')
      return plain(res, 429, `${err.message}\n`)
    }
    return plain(res, 500, `export failed: ${unexpectedError(err, 'an export failed')}\n`)
  }
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  })
  res.end(body)
}

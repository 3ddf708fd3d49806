import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { csvTableOfPath, exportHref } from '../../shared/contract'
import { ExportBusyError } from '../export/exporter'
import { exportRequestOfUrl } from './export-route'
import { startDashboardServer, type DashboardServer } from './http-server'
import { fakeBuild, fakeCore, get, type FakeCore } from '../../../test/helpers/server-support'

let build: Awaited<ReturnType<typeof fakeBuild>>
let core: FakeCore
let server: DashboardServer

beforeEach(async () => {
  build = await fakeBuild()
  core = fakeCore()
  server = await startDashboardServer({ core, rendererDir: build.rendererDir })
})
afterEach(async () => {
  await server.close()
  await build.cleanup()
})

const cookie = (): Record<string, string> => ({ Cookie: `tickflow_token=${server.token}` })
const TRADES = '/export/trades.csv?from=0&to=2024-05-01T00:00:00Z&symbols=AAPL,IC%20MARKETS:1'

describe('the download route', () => {
  it('maps paths to tables both ways', () => {
    expect(csvTableOfPath('/export/trades.csv')).toBe('trades')
    expect(csvTableOfPath('/export/kpi/data-loss.csv')).toBe('data-loss')
    expect(csvTableOfPath('/export/kpi/trades.csv')).toBeNull()
    expect(csvTableOfPath('/export/symbols.csv')).toBeNull()
    expect(csvTableOfPath('/export/kpi/../trades.csv')).toBeNull()
    const req = { table: 'latency' as const, from: 1, to: 2, symbols: ['AAPL'], symbol: 'AAPL' }
    const [path, query] = exportHref(req).split('?') as [string, string]
    expect(path).toBe('/export/kpi/latency.csv')
    expect(exportRequestOfUrl(path, new URLSearchParams(query))).toEqual(req)
  })

  it('refuses without the token', async () => {
    const res = await get(server.port, TRADES)
    expect(res.status).toBe(401)
    expect(res.headers['content-disposition']).toBeUndefined()
    expect((await get(server.port, TRADES, { Cookie: 'tickflow_token=wrong' })).status).toBe(401)
    expect(core.calls).toEqual([])
  })

  it('streams an attachment with the token cookie', async () => {
    const res = await get(server.port, TRADES, cookie())
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present')
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="tickflow-trades-19700101T000000Z-20240501T000000Z.csv"',
    )
    expect(res.headers['transfer-encoding']).toBe('chunked')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.body).toBe('symbol,price\r\nAAPL,1.5\r\n')
    expect(core.calls).toEqual([
      {
        command: 'streamCsv',
        request: { table: 'trades', from: 0, to: Date.UTC(2024, 4, 1), symbols: ['AAPL', 'IC MARKETS:1'] },
      },
    ])
  })

  it('answers a HEAD without running the export', async () => {
    const res = await get(server.port, TRADES, cookie(), 'HEAD')
    expect(res.status).toBe(200)
    expect(res.headers['content-disposition']).toMatch(/^attachment;/)
    expect(core.calls).toEqual([])
  })

  it('says what is wrong with a request', async () => {
    const bad = await get(server.port, '/export/trades.csv?from=yesterday&to=5', cookie())
    expect(bad.status).toBe(400)
    expect(bad.body).toMatch(/^from: "yesterday" is neither/)
    // a KPI table spans at most the minute rollups' 400 days
    const tooLong = 401 * 86_400_000
    expect((await get(server.port, `/export/kpi/latency.csv?from=0&to=${tooLong}`, cookie())).status).toBe(
      400,
    )
    expect((await get(server.port, '/export/kpi/nope.csv?from=0&to=5', cookie())).status).toBe(404)
    expect(core.calls).toEqual([])
  })

  it('answers 429 when enough exports are running, and 500 with the reason on a failure', async () => {
    core.streamCsv = async () => {
      throw new ExportBusyError('2 exports are running already')
    }
    const busy = await get(server.port, TRADES, cookie())
    expect(busy.status).toBe(429)
    expect(busy.headers['retry-after']).toBe('5')
    expect(busy.headers['content-disposition']).toBeUndefined()
    core.streamCsv = async () => {
      throw new Error('cannot connect to PostgreSQL\nstack…')
    }
    const failed = await get(server.port, TRADES, cookie())
    expect(failed.status).toBe(500)
    expect(failed.body).toMatch(
      /^export failed: internal error \(ref [0-9a-f]{8}\): the log has the details\n$/,
    )
  })
})

import { describe, expect, it } from 'vitest'
import { parseExportArgs } from './cli-args'
import { ExportArgError } from './export-args'

const NOW = Date.UTC(2024, 4, 1, 13, 0, 0)

describe('npm run export flags', () => {
  it('reads a trades export to stdout, --to defaulting to now', () => {
    expect(
      parseExportArgs(
        ['--from', '2024-05-01T12:00:00Z', '--symbols', 'AAPL,IC MARKETS:1', '--out', '-'],
        NOW,
      ),
    ).toEqual({
      request: { table: 'trades', from: NOW - 3_600_000, to: NOW, symbols: ['AAPL', 'IC MARKETS:1'] },
      out: '-',
      quiet: false,
      db: {},
    })
  })

  it('reads a KPI view, ms epochs and the connection flags', () => {
    const cmd = parseExportArgs(
      [
        ...['--kpi', 'data-loss', '--from', '0', '--to', '60000', '-o', 'loss.csv', '-q'],
        ...['--database-url', 'postgres://x@h/db', '--schema', 's1', '--data-dir', '/d'],
      ],
      NOW,
    )
    expect(cmd).toMatchObject({
      request: { table: 'data-loss', from: 0, to: 60_000 },
      out: 'loss.csv',
      quiet: true,
      db: { databaseUrl: 'postgres://x@h/db', pgSchema: 's1', dataDir: '/d' },
    })
  })

  it('answers --help', () => {
    expect(parseExportArgs(['--help'])).toBe('help')
  })

  it.each([
    [['--from', 'yesterday', '--out', '-'], /^--from: "yesterday" is neither a ms epoch/],
    [['--from', '0'], /--out is required/],
    [['--from', '0', '--out', '-', '--kpi', 'nope'], /--kpi: "nope" is not a KPI view/],
    [['--from', '0', '--out', '-', '--brokers', 'x'], /Unknown option '--brokers'/],
    [['--out', '-'], /--from is required/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseExportArgs(argv, NOW)).toThrow(ExportArgError)
    expect(() => parseExportArgs(argv, NOW)).toThrow(message)
  })
})

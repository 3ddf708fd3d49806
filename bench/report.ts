import { readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import type { CopyResult, PerRowResult } from './references'
import type { E2eResult } from './e2e'
import type { KpiResult } from './kpi'
import type { LatencyResult } from './latency'
import { fmt } from './log'

export interface BenchReport {
  at: string
  args: Record<string, unknown>
  e2e_trades_per_s: number
  e2e_steady_trades_per_s: number
  e2e_seconds: number
  e2e_trades: number
  per_row_trades_per_s: number
  copy_trades_per_s: number
  ratio_to_per_row: number
  ratio_to_copy: number
  latency_ms: { p50: number; p95: number; p99: number; max: number }
  latency_detail: LatencyResult
  kpi_snapshot_ms: Record<string, number | null>
  kpi_detail: KpiResult[]
  peak_rss_mb: { pipeline: number | null; broker: number | null }
  cpu_s_per_100k_trades: { pipeline: number; broker: number | null; postgres: number | null }
  detail: { e2e: Omit<E2eResult, 'db' | 'topic'>; per_row: PerRowResult; copy: CopyResult }
  targets: Record<string, { goal: string; value: number | null; met: boolean | null }>
  machine: {
    cores: number
    cpu: string
    memory_gb: number
    kernel: string
    load_avg: Record<string, number[]>
  }
  versions: Record<string, string>
}

export interface Parts {
  args: Record<string, unknown>
  e2e: E2eResult
  perRow: PerRowResult
  copy: CopyResult
  latency: LatencyResult
  kpi: KpiResult[]
  load: Record<string, number[]>
  versions: Record<string, string>
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d

/** "rows_1m", "rows_10m", "rows_100k": the key the issue names for a KPI table size. */
export function kpiKey(rows: number): string {
  if (rows % 1_000_000 === 0) return `rows_${rows / 1_000_000}m`
  if (rows % 1_000 === 0) return `rows_${rows / 1_000}k`
  return `rows_${rows}`
}

export function packageVersion(name: string): string {
  try {
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url)
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version
  } catch {
    return 'unknown'
  }
}

export function buildReport(p: Parts): BenchReport {
  const per100k = (x: number | null): number | null =>
    x === null ? null : round((x * 100_000) / p.e2e.trades, 3)
  const kpi10m = p.kpi.find((k) => k.rows === 10_000_000)?.medianMs ?? null
  const l = p.latency.receivedToWritten
  const target = (
    goal: string,
    value: number | null,
    ok: (v: number) => boolean,
  ): BenchReport['targets'][string] => ({
    goal,
    value: value === null ? null : round(value),
    met: value === null ? null : ok(value),
  })
  const { db: _db, topic: _topic, ...e2e } = p.e2e
  return {
    at: new Date().toISOString(),
    args: p.args,
    e2e_trades_per_s: round(p.e2e.tradesPerS, 0),
    e2e_steady_trades_per_s: round(p.e2e.steadyTradesPerS, 0),
    e2e_seconds: round(p.e2e.seconds, 3),
    e2e_trades: p.e2e.trades,
    per_row_trades_per_s: round(p.perRow.tradesPerS, 0),
    copy_trades_per_s: round(p.copy.tradesPerS, 0),
    ratio_to_per_row: round(p.e2e.tradesPerS / p.perRow.tradesPerS, 1),
    ratio_to_copy: round(p.e2e.tradesPerS / p.copy.tradesPerS, 3),
    latency_ms: { p50: round(l.p50), p95: round(l.p95), p99: round(l.p99), max: round(l.max) },
    latency_detail: p.latency,
    kpi_snapshot_ms: {
      rows_1m: null,
      rows_10m: null,
      ...Object.fromEntries(p.kpi.map((k) => [kpiKey(k.rows), round(k.medianMs)])),
    },
    kpi_detail: p.kpi,
    peak_rss_mb: {
      pipeline: p.e2e.peakRssMb.pipeline && round(p.e2e.peakRssMb.pipeline, 0),
      broker: p.e2e.peakRssMb.broker && round(p.e2e.peakRssMb.broker, 0),
    },
    cpu_s_per_100k_trades: {
      pipeline: per100k(p.e2e.cpuSeconds.pipeline)!,
      broker: per100k(p.e2e.cpuSeconds.broker),
      postgres: per100k(p.e2e.cpuSeconds.postgres),
    },
    detail: { e2e, per_row: p.perRow, copy: p.copy },
    targets: {
      e2e_trades_per_s: target('>= 50000', p.e2e.tradesPerS, (v) => v >= 50_000),
      latency_p99_ms: target('<= 100 at 5000/s', l.p99, (v) => v <= 100),
      ratio_to_per_row: target('>= 50', p.e2e.tradesPerS / p.perRow.tradesPerS, (v) => v >= 50),
      ratio_to_copy: target('>= 0.5', p.e2e.tradesPerS / p.copy.tradesPerS, (v) => v >= 0.5),
      kpi_snapshot_10m_ms: target('<= 50', kpi10m, (v) => v <= 50),
    },
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memory_gb: round(totalmem() / 2 ** 30, 1),
      kernel: release(),
      load_avg: { ...p.load, end: loadavg() },
    },
    versions: p.versions,
  }
}

export function renderMarkdown(r: BenchReport): string {
  const yes = (m: boolean | null): string => (m === null ? 'n/a' : m ? 'met' : 'missed')
  const t = r.targets
  const lat = r.latency_detail
  const lines = [
    `# Tickflow bench, ${r.at}`,
    '',
    `${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memory_gb} GB; load average (1/5/15 min) at start ` +
      `${(r.machine.load_avg['start'] ?? []).map((x) => x.toFixed(2)).join(' / ')}, at end ` +
      `${(r.machine.load_avg['end'] ?? []).map((x) => x.toFixed(2)).join(' / ')}. ` +
      Object.entries(r.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') +
      '.',
    '',
    '| measure | value | target | |',
    '| --- | --- | --- | --- |',
    `| end to end, first produce → last commit (${fmt(r.e2e_trades)} trades) | ${fmt(r.e2e_trades_per_s)} trades/s | ≥ 50,000 | ${yes(t['e2e_trades_per_s']!.met)} |`,
    `| end to end, steady (10th–90th pct of written_at) | ${fmt(r.e2e_steady_trades_per_s)} trades/s | | |`,
    `| per-row INSERT + COMMIT reference | ${fmt(r.per_row_trades_per_s)} trades/s | | |`,
    `| COPY reference (one COPY from CSV) | ${fmt(r.copy_trades_per_s)} trades/s | | |`,
    `| ours ÷ per-row | ${fmt(r.ratio_to_per_row, 1)}× | ≥ 50× | ${yes(t['ratio_to_per_row']!.met)} |`,
    `| ours ÷ COPY | ${fmt(r.ratio_to_copy, 2)} | ≥ 0.5 | ${yes(t['ratio_to_copy']!.met)} |`,
    `| latency received→consumed p50 / p95 / p99 at ${fmt(lat.offeredPerS)}/s | ${ms3(lat.receivedToConsumed)} | | |`,
    `| latency consumed→written p50 / p95 / p99 | ${ms3(lat.consumedToWritten)} | | |`,
    `| latency received→written p50 / p95 / p99 | ${ms3(lat.receivedToWritten)} | p99 ≤ 100 ms | ${yes(t['latency_p99_ms']!.met)} |`,
    ...r.kpi_detail.map(
      (k) =>
        `| KPI snapshot, 1 h window (${fmt(k.windowRows)} trades) at ${fmt(k.rows)} rows, median of ${k.runsMs.length} | ` +
        `${fmt(k.medianMs, 1)} ms${k.rebuild ? ' (rollups)' : ' (raw table)'} | ${k.rows === 10_000_000 ? '≤ 50 ms' : ''} | ` +
        `${k.rows === 10_000_000 ? yes(t['kpi_snapshot_10m_ms']!.met) : ''} |`,
    ),
    `| peak RSS: pipeline process / broker JVM (e2e phase) | ${fmt(r.peak_rss_mb.pipeline ?? NaN)} / ${fmt(r.peak_rss_mb.broker ?? NaN)} MB | | |`,
    `| CPU s per 100k trades: pipeline / broker / Postgres | ${r.cpu_s_per_100k_trades.pipeline} / ${r.cpu_s_per_100k_trades.broker ?? 'n/a'} / ${r.cpu_s_per_100k_trades.postgres ?? 'n/a'} | | |`,
    '',
    'Targets are goals, not assertions. See bench/README.md for the method and what limits the misses.',
    '',
  ]
  return lines.join('\n')
}

function ms3(p: { p50: number; p95: number; p99: number }): string {
  return `${fmt(p.p50, 1)} / ${fmt(p.p95, 1)} / ${fmt(p.p99, 1)} ms`
}

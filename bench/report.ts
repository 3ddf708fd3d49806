import { readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import type { CopyResult, PerRowResult } from './references'
import type { E2eResult } from './e2e'
import type { KpiResult } from './kpi'
import type { LatencyResult } from './latency'
import { fmt } from './log'
import { faultRows, type FaultKeys } from './report-faults'
import { storageRows, type StorageKeys } from './report-storage'
import { historyRows, type HistoryKeys } from './report-history'
import type { UiResult } from './ui'

type Target = { goal: string; value: number | null; met: boolean | null }

/** What every report has: when, with which flags, the goals, the machine. */
export interface ReportBase {
  at: string
  args: Record<string, unknown>
  targets: Record<string, Target>
  machine: {
    cores: number
    cpu: string
    memory_gb: number
    kernel: string
    load_avg: Record<string, number[]>
  }
  versions: Record<string, string>
}

/** The ui phase's keys; null when the phase did not run or the number could not be measured. */
export interface UiKeys {
  ui_first_chart_ms: number | null
  ui_trade_to_chart_ms: { p50: number; p95: number; p99: number; max: number; samples: number } | null
  ui_renderer_cpu_pct: number | null
  ui_heap_growth_pct: number | null
  kpi_push_cost_ms: { p50: number; p95: number; max: number } | null
  ui_detail: (UiResult & { at: string; minutes: number }) | null
  /** why the ui phase failed, when it did (the other phases are still reported) */
  ui_error?: string
}

/** `--only <phase>` with no earlier full latest.json: that phase's keys alone. */
export type UiOnlyReport = ReportBase & Partial<UiKeys> & FaultKeys & StorageKeys & HistoryKeys

export interface BenchReport
  extends ReportBase, UiKeys, FaultKeys, StorageKeys, Omit<HistoryKeys, 'kpi_snapshot_ms' | 'targets'> {
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
  ui: UiResult | null
  uiMinutes: number
  uiError?: string | null
  /** the recovery and idempotence phases' keys (empty when skipped) */
  faults: FaultKeys
  storage: StorageKeys
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

const target = (goal: string, value: number | null, ok: (v: number) => boolean): Target => ({
  goal,
  value: value === null || !Number.isFinite(value) ? null : round(value),
  met: value === null || !Number.isFinite(value) ? null : ok(value),
})

const finite = (n: number | undefined | null): number | null =>
  n === undefined || n === null || !Number.isFinite(n) ? null : n

export function machineInfo(load: Record<string, number[]>): ReportBase['machine'] {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memory_gb: round(totalmem() / 2 ** 30, 1),
    kernel: release(),
    load_avg: { ...load, end: loadavg() },
  }
}

/** The ui phase's keys of latest.json (all null when it did not run). */
export function uiKeys(ui: UiResult | null, minutes: number): UiKeys {
  const t = ui?.tradeToChart
  const k = ui?.kpiPushCost
  return {
    ui_first_chart_ms: ui ? round(ui.firstChartMs, 0) : null,
    ui_trade_to_chart_ms: t
      ? {
          p50: round(t.p50, 0),
          p95: round(t.p95, 0),
          p99: round(t.p99, 0),
          max: round(t.max, 0),
          samples: t.samples,
        }
      : null,
    ui_renderer_cpu_pct: finite(ui?.rendererCpuPct) === null ? null : round(ui!.rendererCpuPct),
    ui_heap_growth_pct: finite(ui?.heapGrowthPct) === null ? null : round(ui!.heapGrowthPct),
    kpi_push_cost_ms: k && k.samples > 0 ? { p50: round(k.p50), p95: round(k.p95), max: round(k.max) } : null,
    ui_detail: ui ? { ...ui, at: new Date().toISOString(), minutes } : null,
  }
}

/** The ui phase's goals, beside the other targets. */
export function uiTargets(u: UiKeys): Record<string, Target> {
  return {
    ui_first_chart_ms: target('<= 3000', u.ui_first_chart_ms, (v) => v <= 3_000),
    ui_trade_to_chart_p95_ms: target('<= 1500', u.ui_trade_to_chart_ms?.p95 ?? null, (v) => v <= 1_500),
    ui_renderer_cpu_pct: target('<= 15', u.ui_renderer_cpu_pct, (v) => v <= 15),
    ui_heap_growth_pct: target('<= 10 over 10 min', u.ui_heap_growth_pct, (v) => v <= 10),
  }
}

/**
 * `--only ui`: the earlier report with its ui keys and targets replaced, or the ui keys alone
 * when there is none.
 */
export function mergeUi(
  previous: BenchReport | UiOnlyReport | null,
  ui: UiResult,
  minutes: number,
  base: Omit<ReportBase, 'targets'>,
): BenchReport | UiOnlyReport {
  const keys = uiKeys(ui, minutes)
  const versions = { ...base.versions, chromium: ui.chromium }
  // Of an earlier partial report, only the other single phases' keys are worth keeping.
  if (!previous || !('e2e_trades_per_s' in previous))
    return { ...base, ...faultKeysOf(previous), ...keys, targets: uiTargets(keys), versions }
  return {
    ...previous,
    ...keys,
    targets: { ...previous.targets, ...uiTargets(keys) },
    versions: { ...previous.versions, chromium: ui.chromium },
  }
}

function faultKeysOf(r: (FaultKeys & StorageKeys) | null): FaultKeys & StorageKeys {
  if (!r) return {}
  const { recovery_s, recovery_detail, idempotent_write_trades_per_s, idempotence_detail } = r
  const { storage, storage_detail } = r
  return {
    recovery_s,
    recovery_detail,
    idempotent_write_trades_per_s,
    idempotence_detail,
    storage,
    storage_detail,
  }
}

/** `--only recovery|idempotence|storage`: the earlier report with that phase's keys replaced, or them alone. */
export function mergeFaults(
  previous: BenchReport | UiOnlyReport | null,
  keys: FaultKeys & StorageKeys,
  base: Omit<ReportBase, 'targets'>,
): BenchReport | UiOnlyReport {
  if (!previous) return { ...base, ...keys, targets: {} }
  return { ...previous, ...keys }
}

export function buildReport(p: Parts): BenchReport {
  const per100k = (x: number | null): number | null =>
    x === null ? null : round((x * 100_000) / p.e2e.trades, 3)
  const kpi10m = p.kpi.find((k) => k.rows === 10_000_000)?.medianMs ?? null
  const l = p.latency.receivedToWritten
  const ui = uiKeys(p.ui, p.uiMinutes)
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
    ...p.faults,
    ...p.storage,
    ...ui,
    ...(p.uiError ? { ui_error: p.uiError } : {}),
    targets: {
      e2e_trades_per_s: target('>= 50000', p.e2e.tradesPerS, (v) => v >= 50_000),
      latency_p99_ms: target('<= 100 at 5000/s', l.p99, (v) => v <= 100),
      ratio_to_per_row: target('>= 50', p.e2e.tradesPerS / p.perRow.tradesPerS, (v) => v >= 50),
      ratio_to_copy: target('>= 0.5', p.e2e.tradesPerS / p.copy.tradesPerS, (v) => v >= 0.5),
      kpi_snapshot_10m_ms: target('<= 50', kpi10m, (v) => v <= 50),
      ...uiTargets(ui),
    },
    machine: machineInfo(p.load),
    versions: p.ui ? { ...p.versions, chromium: p.ui.chromium } : p.versions,
  }
}

const yes = (m: boolean | null | undefined): string =>
  m === null || m === undefined ? 'n/a' : m ? 'met' : 'missed'

export function renderMarkdown(r: BenchReport | UiOnlyReport): string {
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
    ...('e2e_trades_per_s' in r ? pipelineRows(r) : ['Only single phases have run (`--only`).']),
    '',
    ...faultRows(r),
    '',
    ...storageRows(r),
    ...historyRows(r),
    '',
    ...uiRows(r),
    '',
    'Targets are goals, not assertions. See bench/README.md for the method and what limits the misses.',
    '',
  ]
  return lines.join('\n')
}

function pipelineRows(r: BenchReport): string[] {
  const t = r.targets
  const lat = r.latency_detail
  return [
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
  ]
}

/** The ui phase's table: its four goals and the push cost, or why it is missing. */
function uiRows(r: Partial<UiKeys> & Pick<ReportBase, 'targets'>): string[] {
  const d = r.ui_detail
  if (r.ui_error) return [`Dashboard (ui phase): failed: ${r.ui_error}`]
  if (!d) return ['Dashboard (ui phase): not run (`--skip-ui`).']
  const t = r.targets
  const tc = r.ui_trade_to_chart_ms
  const kc = r.kpi_push_cost_ms
  const num = (v: number | null | undefined, digits = 0, unit = ''): string =>
    v === null || v === undefined ? 'n/a' : `${fmt(v, digits)}${unit}`
  const p = d.detail.processCpuPct
  const procs = ['chromium_renderer', 'chromium_gpu', 'serve', 'broker', 'postgres'].map((k) =>
    num(p[k] ?? null, 1),
  )
  return [
    `Dashboard (ui phase, ${d.at}): \`serve\` + Chromium over CDP, Demo at ${fmt(d.offeredPerS)} trades/s offered ` +
      `(${num(d.detail.writtenPerS)} written/s), ${fmt(d.detail.measuredSeconds / 60, 1)} min measured.`,
    '',
    '| measure | value | goal | |',
    '| --- | --- | --- | --- |',
    `| \`serve\` started on a warm data dir → first chart with data painted (URL printed at ${fmt(d.firstChart.urlMs)} ms) | ` +
      `${num(r.ui_first_chart_ms, 0, ' ms')} | ≤ 3,000 ms | ${yes(t['ui_first_chart_ms']?.met)} |`,
    `| trade received → snapshot holding it painted, p50 / p95 / p99 / max (${tc ? fmt(tc.samples) : 0} sampled trades) | ` +
      (tc ? `${fmt(tc.p50)} / ${fmt(tc.p95)} / ${fmt(tc.p99)} / ${fmt(tc.max)} ms` : 'n/a') +
      ` | p95 ≤ 1,500 ms | ${yes(t['ui_trade_to_chart_p95_ms']?.met)} |`,
    `| renderer main thread (CDP TaskDuration, ${d.detail.timeDomain ?? 'timeTicks'}), % of one core | ${num(r.ui_renderer_cpu_pct, 1, ' %')} | ≤ 15 % | ` +
      `${yes(t['ui_renderer_cpu_pct']?.met)} |`,
    `| JS heap growth over ${fmt(d.minutes, d.minutes < 1 ? 2 : 0)} min, after a forced GC at both ends ` +
      `(${fmt(d.detail.heapMb.start, 1)} → ${fmt(d.detail.heapMb.end, 1)} MB) | ${num(r.ui_heap_growth_pct, 1, ' %')} | ` +
      `≤ 10 % over 10 min | ${yes(t['ui_heap_growth_pct']?.met)} |`,
    ...(d.detail.heapFromWindowFull
      ? [
          `| JS heap growth from ${fmt(d.detail.heapFromWindowFull.s)} s in (5 min window full of this run, ` +
            `${fmt(d.detail.heapFromWindowFull.mb, 1)} MB) to the end | ` +
            `${fmt(d.detail.heapFromWindowFull.growthPct, 1)} % | | |`,
        ]
      : []),
    `| KPI snapshot query + JSON, 5 min window, p50 / p95 / max (${d.kpiPushCost?.samples ?? 0} at 1 Hz from the bench) | ` +
      (kc ? `${fmt(kc.p50, 1)} / ${fmt(kc.p95, 1)} / ${fmt(kc.max, 1)} ms` : 'n/a') +
      ' | | |',
    `| whole processes, % of one core: Chromium renderer / GPU / serve / broker / Postgres | ${procs.join(' / ')} | | |`,
  ]
}

function ms3(p: { p50: number; p95: number; p99: number }): string {
  return `${fmt(p.p50, 1)} / ${fmt(p.p95, 1)} / ${fmt(p.p99, 1)} ms`
}

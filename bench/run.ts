// npm run bench: issue 3's side-by-side measurements, one run, one machine. See bench/README.md.
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseBenchArgs, type BenchArgs } from './args'
import { runE2e, writeFixture } from './e2e'
import { DEFAULT_HISTORY, runHistory, type HistoryResult } from './history'
import { runIdempotence } from './idempotence'
import { runKpi, type KpiResult } from './kpi'
import { runLatency } from './latency'
import { fmt, log } from './log'
import { runRecovery } from './recovery'
import { runCopy, runPerRow } from './references'
import { idempotenceKeys, recoveryKeys, type FaultKeys } from './report-faults'
import { storageKeys, type StorageKeys } from './report-storage'
import { runStorageMonth } from './storage-month'
import { withHistory } from './report-history'
import { CHROMIUM } from '../dev/chromium'
import {
  buildReport,
  machineInfo,
  mergeFaults,
  mergeUi,
  packageVersion,
  renderMarkdown,
  type BenchReport,
  type UiOnlyReport,
} from './report'
import { dropSchema, startBenchServices, type BenchServices } from './services'
import { runUi, type UiResult } from './ui'
import { staleRendererFiles, uiPrerequisites } from './ui-serve'

async function versions(s: BenchServices): Promise<Record<string, string>> {
  const db = await s.openSchema('meta')
  const { rows } = await db.pool
    .query<{ v: string }>("SELECT current_setting('server_version') AS v")
    .catch(() => ({ rows: [{ v: '?' }] }))
  const admin = s.services.kafka.admin()
  await admin.connect()
  const cluster = await admin.describeCluster().catch(() => null)
  await admin.disconnect()
  return {
    node: process.versions.node,
    postgres: `${rows[0]?.v ?? '?'}${s.services.db.embedded ? ' (embedded, fsync on)' : ''}`,
    kafka: s.brokerPid
      ? `${kafkaJarVersion(s.brokerPid)} (local broker)`
      : `external (${cluster?.brokers.length ?? '?'} brokers)`,
    kafkajs: packageVersion('kafkajs'),
    pg: packageVersion('pg'),
  }
}

function kafkaJarVersion(pid: number): string {
  // The broker's own jar on its command line carries the version.
  try {
    const m = /kafka_2\.13-([\w.]+?)\.jar/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
    return m ? m[1]! : '?'
  } catch {
    return '?'
  }
}

async function writeReport(out: string, report: BenchReport | UiOnlyReport): Promise<void> {
  await mkdir(out, { recursive: true })
  await writeFile(join(out, 'latest.json'), JSON.stringify(report, null, 2) + '\n')
  const md = renderMarkdown(report)
  await writeFile(join(out, 'latest.md'), md)
  log(`wrote ${join(out, 'latest.json')} and latest.md`)
  process.stdout.write('\n' + md)
}

/** Fails early, before minutes of other phases, when the ui phase could not run at the end. */
async function checkUi(): Promise<void> {
  const why = uiPrerequisites(CHROMIUM)
  if (why) throw new Error(`ui phase: ${why}`)
  const stale = await staleRendererFiles()
  if (stale.length > 0)
    log(
      `warning: ${stale.length} renderer source files are newer than out/renderer (${stale[0]}, …): npm run build`,
    )
}

/** The previous latest.json in --out, which a single phase's keys are merged into; null if none. */
function previousReport(out: string, phase: string): BenchReport | UiOnlyReport | null {
  const file = join(out, 'latest.json')
  if (!existsSync(file)) return null
  try {
    const previous = JSON.parse(readFileSync(file, 'utf8')) as BenchReport | UiOnlyReport
    log(`${phase}: merging into ${file} of ${previous.at}`)
    return previous
  } catch (err) {
    log(`${phase}: ${file} is not readable JSON (${(err as Error).message}); writing its keys alone`)
    return null
  }
}

/** The history phase on the run's PostgreSQL: a simulated month in a schema of its own. */
async function history(s: BenchServices, args: BenchArgs): Promise<HistoryResult> {
  const opts = { ...DEFAULT_HISTORY, days: args.historyDays, symbols: args.historySymbols }
  return runHistory(s.services.db.url, opts, log)
}

/** `--only <phase>`: that phase alone; its keys replace those of the previous latest.json, if any. */
async function onlyPhase(
  args: BenchArgs,
  phase: 'ui' | 'recovery' | 'idempotence' | 'storage' | 'history',
): Promise<void> {
  if ((phase === 'ui' || phase === 'recovery') && (args.brokers || args.databaseUrl))
    log(`${phase}: --brokers and --database-url do not apply: it runs managed services of its own`)
  const load: Record<string, number[]> = { start: loadavg() }
  const base = (versions: Record<string, string>) => ({
    at: new Date().toISOString(),
    args: { ...args, databaseUrl: undefined },
    machine: machineInfo(load),
    versions: { node: process.versions.node, ...versions },
  })
  if (phase === 'ui') {
    const ui = await runUi(args.rate, args.uiMinutes)
    const b = base({ 'playwright-core': packageVersion('playwright-core') })
    return writeReport(args.out, mergeUi(previousReport(args.out, phase), ui, args.uiMinutes, b))
  }
  if (phase === 'history') {
    const s = await startBenchServices(args)
    try {
      const h = await history(s, args)
      const previous = previousReport(args.out, phase)
      const report = previous ?? { ...base({}), targets: {} }
      return await writeReport(args.out, withHistory(report, h))
    } finally {
      await s.close()
    }
  }
  let keys: FaultKeys & StorageKeys
  if (phase === 'recovery') {
    keys = recoveryKeys(await runRecovery(args.recoveryRate, args.recoveryRepeats))
  } else {
    const s = await startBenchServices(args)
    try {
      keys =
        phase === 'storage'
          ? storageKeys(await runStorageMonth(s, args.storageDayTrades))
          : idempotenceKeys(
              await runIdempotence(s, args.idempotenceTrades, args.idempotenceRepeats, args.partitions),
            )
    } finally {
      await s.close()
    }
  }
  await writeReport(args.out, mergeFaults(previousReport(args.out, phase), keys, base({})))
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2))
  const load: Record<string, number[]> = { start: loadavg() }
  log(`starting: ${JSON.stringify({ ...args, databaseUrl: args.databaseUrl ? '(set)' : undefined })}`)
  if (!args.skipUi && (args.only ?? 'ui') === 'ui') await checkUi()
  if (args.only) return onlyPhase(args, args.only)
  const s = await startBenchServices(args)
  let interrupted = false
  let closed = false
  const onSignal = (): void => {
    if (interrupted || closed) process.exit(130)
    interrupted = true
    log('interrupted: stopping the services (Ctrl-C again to leave them)')
    void s.close().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const ver = await versions(s)
    log(
      `services up: kafka ${s.services.kafkaTarget}, postgres ${s.services.db.embedded ? 'embedded' : 'external'}`,
    )

    log(`fixture: generating ${fmt(args.trades)} trades`)
    const fx = await writeFixture(s.workDir, args.trades)
    log(`fixture: ${fmt(fx.frames)} frames, ${fmt(fx.bytes / 1e6, 1)} MB`)

    const e2e = await runE2e(s, fx, args.partitions)
    load['after_e2e'] = loadavg()
    const perRow = await runPerRow(s, e2e.topic, args.perRowTrades, args.perRowSeconds)
    const copy = await runCopy(s, e2e.db)
    await dropSchema(e2e.db)
    load['after_references'] = loadavg()
    const latency = await runLatency(s, args.rate, args.latencySeconds, args.partitions)
    load['after_latency'] = loadavg()
    const kpi: KpiResult[] = []
    if (!args.skipKpi) {
      for (const rows of args.kpiRows) kpi.push(await runKpi(s, rows, args.kpiSpanHours, args.kpiRepeats))
      load['after_kpi'] = loadavg()
    }
    const hist = args.skipHistory ? null : await history(s, args)
    if (hist) load['after_history'] = loadavg()
    const faults: FaultKeys = {}
    if (!args.skipIdempotence) {
      const r = await runIdempotence(s, args.idempotenceTrades, args.idempotenceRepeats, args.partitions)
      Object.assign(faults, idempotenceKeys(r))
      load['after_idempotence'] = loadavg()
    }
    let storage: StorageKeys = {}
    if (!args.skipStorage) {
      storage = storageKeys(await runStorageMonth(s, args.storageDayTrades))
      load['after_storage'] = loadavg()
    }
    // serve brings its own broker and PostgreSQL: free the machine of ours first.
    log('stopping the bench services before the ui phase')
    closed = true
    await s.close()
    // The recovery phase, too, runs services of its own (managed, so they can be killed).
    if (!args.skipRecovery) {
      Object.assign(faults, recoveryKeys(await runRecovery(args.recoveryRate, args.recoveryRepeats)))
      load['after_recovery'] = loadavg()
    }
    let ui: UiResult | null = null
    let uiError: string | null = null
    if (!args.skipUi) {
      // A failure here must not throw away the minutes of measurements above.
      ui = await runUi(args.rate, args.uiMinutes).catch((err: unknown) => {
        uiError = err instanceof Error ? err.message.split('\n')[0]! : String(err)
        log(`ui phase failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
        return null
      })
      load['after_ui'] = loadavg()
    }

    const report = buildReport({
      args: { ...args, databaseUrl: undefined },
      e2e,
      perRow,
      copy,
      latency,
      kpi,
      load,
      versions: ver,
      ui,
      uiMinutes: args.uiMinutes,
      uiError,
      faults,
      storage,
    })
    await writeReport(args.out, withHistory(report, hist))
  } finally {
    if (!interrupted && !closed) {
      log('stopping services')
      await s.close()
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    process.exit(1)
  },
)

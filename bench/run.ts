// npm run bench: issue 3's side-by-side measurements, one run, one machine. See bench/README.md.
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { parseBenchArgs } from './args'
import { runE2e, writeFixture } from './e2e'
import { runKpi, type KpiResult } from './kpi'
import { runLatency } from './latency'
import { fmt, log } from './log'
import { runCopy, runPerRow } from './references'
import { buildReport, packageVersion, renderMarkdown } from './report'
import { dropSchema, startBenchServices, type BenchServices } from './services'

async function versions(s: BenchServices): Promise<Record<string, string>> {
  const db = await s.openSchema('meta')
  const { rows } = await db.pool
    .query<{ v: string }>("SELECT current_setting('server_version') AS v")
    .catch(() => ({ rows: [{ v: '?' }] }))
  const admin = s.kafka.admin()
  await admin.connect()
  const cluster = await admin.describeCluster().catch(() => null)
  await admin.disconnect()
  return {
    node: process.versions.node,
    postgres: `${rows[0]?.v ?? '?'}${s.pgEmbedded ? ' (embedded, fsync on)' : ''}`,
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

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2))
  const load: Record<string, number[]> = { start: loadavg() }
  log(`starting: ${JSON.stringify({ ...args, databaseUrl: args.databaseUrl ? '(set)' : undefined })}`)
  const s = await startBenchServices(args)
  let interrupted = false
  const onSignal = (): void => {
    if (interrupted) process.exit(130)
    interrupted = true
    log('interrupted: stopping the services (Ctrl-C again to leave them)')
    void s.close().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    const ver = await versions(s)
    log(`services up: kafka ${s.bootstrap}, postgres ${s.pgEmbedded ? 'embedded' : 'external'}`)

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

    const report = buildReport({
      args: { ...args, databaseUrl: undefined },
      e2e,
      perRow,
      copy,
      latency,
      kpi,
      load,
      versions: ver,
    })
    await mkdir(args.out, { recursive: true })
    await writeFile(join(args.out, 'latest.json'), JSON.stringify(report, null, 2) + '\n')
    const md = renderMarkdown(report)
    await writeFile(join(args.out, 'latest.md'), md)
    log(`wrote ${join(args.out, 'latest.json')} and latest.md`)
    process.stdout.write('\n' + md)
  } finally {
    if (!interrupted) {
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

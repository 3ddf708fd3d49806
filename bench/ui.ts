import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { collectPageErrors, launchChromium } from '../dev/chromium'
import { fmt, log } from './log'
import { cpuDelta } from './proc-stats'
import { tradeToChart, type TradeToChart } from './ui-latency'
import {
  heapAfterGc,
  openMetrics,
  panelStates,
  pipelineWord,
  PROBE_SCRIPT,
  processCpu,
  readMetrics,
  readProbe,
  startStop,
  waitFirstReady,
  type RendererMetrics,
} from './ui-page'
import { pushCost, type PushCost } from './ui-push-cost'
import { embeddedPgUrl, serveCpu, spawnServe, type ServeChild } from './ui-serve'

/** Seconds of Demo in the first serve run, which leaves the data dir warm (data in the 5 min window). */
const WARM_RUN_S = 20
/** Seconds between Start and the measured interval: the first snapshots, JIT, chart creation. */
const WARM_UP_S = 15
/** Timed snapshot queries (1 Hz) for kpi_push_cost_ms, after the measured interval. */
const PUSH_COST_SAMPLES = 60
const PROGRESS_S = 30
/** The page's 5 min window holds only this run's trades from here on (plus a bucket's slack). */
const WINDOW_FULL_MS = 305_000

export interface UiResult {
  offeredPerS: number
  chromium: string
  /** spawn of `serve` on the warm data dir → first panel with data painted */
  firstChartMs: number
  firstChart: {
    urlMs: number
    panel: string | null
    window: string
    /** serve's lines up to its URL (token cut), ms after spawn */
    serveStartup: { ms: number; line: string }[]
  }
  tradeToChart: TradeToChart | null
  /** ΔTaskDuration ÷ Δwall of the page's main thread, % of one core */
  rendererCpuPct: number
  /** used JS heap after a forced GC, end against start of the measured interval */
  heapGrowthPct: number
  kpiPushCost: PushCost | null
  detail: {
    warmUpSeconds: number
    measuredSeconds: number
    /** CDP Performance durations: thread CPU time (threadTicks), else wall time of tasks (timeTicks) */
    timeDomain: string
    /** trades written per second in the measured interval */
    writtenPerS: number | null
    paints: number
    paintsWithoutSnapshotAt: number
    heapMb: { start: number; end: number }
    /**
     * Heap after a forced GC once the run had filled the 5 min window (at `s` seconds into the
     * interval), and the growth from there to the end; null in runs too short for it.
     */
    heapFromWindowFull: { s: number; mb: number; growthPct: number } | null
    domNodes: { start: number; end: number }
    /** main-thread split of the renderer CPU, % of one core */
    rendererCpuSplitPct: { script: number; layout: number; style: number }
    /** whole processes (SystemInfo.getProcessInfo and /proc), % of one core */
    processCpuPct: Record<string, number | null>
    timeline: { s: number; cpuPct: number; heapMb: number; paints: number; state: string }[]
    pageErrors: string[]
    serveExit: { warm: number | string | null; measured: number | string | null }
    loadAvg: { start: number[]; end: number[] }
  }
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10
const pct = (cpuS: number, wallMs: number): number => (cpuS / (wallMs / 1000)) * 100

async function newPage(
  browser: Browser,
  probe: boolean,
): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } })
  if (probe) await ctx.addInitScript({ content: PROBE_SCRIPT })
  const page = await ctx.newPage()
  return { ctx, page, errors: collectPageErrors(page) }
}

/** The error with the tail of serve's output, which says why more often than the page does. */
function withOutput(serve: ServeChild | null, err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err))
  if (!serve) return e
  const tail = serve.output().trim().split('\n').slice(-15).join('\n')
  return new Error(`${e.message}\n--- serve output (last lines) ---\n${tail}`, { cause: e })
}

/** First serve run on the fresh data dir: Demo for WARM_RUN_S, Stop, Ctrl-C. */
async function warmDataDir(browser: Browser, dataDir: string, rate: number): Promise<number | string | null> {
  const serve = await spawnServe(dataDir, rate)
  log(`ui: warm-up serve (fresh data dir) printed its URL after ${fmt(serve.urlAt - serve.spawnedAt)} ms`)
  const { ctx, page } = await newPage(browser, false)
  try {
    await page.goto(serve.url)
    await startStop(page, 'running')
    log(`ui: warm-up: Demo at ${fmt(rate)}/s for ${WARM_RUN_S} s`)
    await sleep(WARM_RUN_S * 1000)
    await startStop(page, 'stopped')
  } catch (err) {
    await serve.stop().catch(() => undefined)
    throw withOutput(serve, err)
  } finally {
    await ctx.close()
  }
  const code = await serve.stop()
  log(`ui: warm-up serve exited with ${code}`)
  return code
}

/**
 * The ui phase: `serve` on a warm data dir, the dashboard in Chromium over CDP, Demo at `rate`
 * trades/s for `minutes`. See bench/README.md for each number's method.
 */
export async function runUi(rate: number, minutes: number): Promise<UiResult> {
  const loadStart = loadavg()
  const dataDir = await mkdtemp(join(tmpdir(), 'tickflow-bench-ui-'))
  // As root the embedded server runs as user postgres, which must be able to enter the dir.
  await chmod(dataDir, 0o755)
  const browser = await launchChromium()
  let serve: ServeChild | null = null
  let pool: pg.Pool | null = null
  try {
    const warmExit = await warmDataDir(browser, dataDir, rate)

    // The measured start: serve on the warm data dir → the first chart with data painted.
    const { ctx, page, errors } = await newPage(browser, true)
    serve = await spawnServe(dataDir, rate)
    const urlMs = serve.urlAt - serve.spawnedAt
    const serveStartup = serve.startup.map((l) => ({
      ms: l.ms,
      line: l.line.replace(/token=\S+/, 'token=…'),
    }))
    await page.goto(serve.url)
    await waitFirstReady(page, 120_000).catch(async (err: unknown) => {
      throw new Error(`no panel became ready: ${await panelStates(page)}`, { cause: err })
    })
    const first = await readProbe(page)
    const firstChartMs = first.firstReadyAt! - serve.spawnedAt
    let window = await page.getByTestId('window-select').inputValue()
    log(
      `ui: first chart ${fmt(firstChartMs)} ms after spawn (URL at ${fmt(urlMs)} ms, ` +
        `${first.firstReadyPanel}, window ${window})`,
    )
    if (window !== '5m') {
      await page.getByTestId('window-select').selectOption('5m')
      window = `${window} (then 5m)`
    }
    pool = new pg.Pool({ connectionString: await embeddedPgUrl(dataDir), max: 2 })
    pool.on('error', () => undefined)

    await startStop(page, 'running')
    const runStart = Date.now()
    log(`ui: Demo at ${fmt(rate)}/s; ${WARM_UP_S} s warm-up, then ${fmt(minutes, 2)} min measured`)
    await sleep(WARM_UP_S * 1000)

    const { cdp, timeDomain } = await openMetrics(page)
    const heapStart = await heapAfterGc(cdp)
    const m0 = await readMetrics(cdp)
    const proc0 = await processCpu(browser)
    const srv0 = serveCpu(serve)
    const from = m0.at
    const timeline: UiResult['detail']['timeline'] = []
    let prev: RendererMetrics = m0
    let heapWindowFull: { s: number; bytes: number } | null = null
    for (let left = minutes * 60; left > 0; left -= PROGRESS_S) {
      await sleep(Math.min(left, PROGRESS_S) * 1000)
      const m = await readMetrics(cdp)
      const paints = (await readProbe(page)).paints.filter((p) => p.paintedAt >= from).length
      const row = {
        s: Math.round((m.at - from) / 1000),
        cpuPct: pct(m.taskS - prev.taskS, m.at - prev.at),
        heapMb: mb(m.heapUsed),
        paints,
        state: await pipelineWord(page),
      }
      timeline.push(row)
      prev = m
      log(
        `ui: ${row.s} s: renderer ${fmt(row.cpuPct, 1)} % of a core, heap ${fmt(row.heapMb, 1)} MB, ` +
          `${paints} paints of trades-per-second, pipeline ${row.state}`,
      )
      // Once the run fills the 5 min window, its series stop growing: a second baseline.
      if (!heapWindowFull && m.at - runStart >= WINDOW_FULL_MS && left - PROGRESS_S >= 60) {
        heapWindowFull = { s: row.s, bytes: await heapAfterGc(cdp) }
        prev = await readMetrics(cdp)
      }
    }
    const m1 = await readMetrics(cdp)
    const proc1 = await processCpu(browser)
    const srv1 = serveCpu(serve)
    const heapEnd = await heapAfterGc(cdp)
    const wall = m1.at - m0.at
    const rendererCpuPct = pct(m1.taskS - m0.taskS, wall)
    const heapGrowthPct = ((heapEnd - heapStart) / heapStart) * 100
    log(
      `ui: renderer ${fmt(rendererCpuPct, 1)} % of a core; heap ${fmt(mb(heapStart), 1)} → ${fmt(mb(heapEnd), 1)} MB ` +
        `(${fmt(heapGrowthPct, 1)} %)`,
    )

    log(`ui: kpi push cost: ${PUSH_COST_SAMPLES} timed 5 min snapshots at 1 Hz`)
    const kpiPushCost = await pushCost(pool, PUSH_COST_SAMPLES)
    const probe = await readProbe(page)
    const allPaints = probe.paints.filter((p) => p.paintedAt >= from && p.paintedAt <= m1.at)
    await startStop(page, 'stopped')
    const ttc = await tradeToChart(pool, allPaints, from)
    const writtenPerS = ttc
      ? ttc.population / ((Math.max(...allPaints.map((p) => p.snapshotAt)) - from) / 1000)
      : null
    if (ttc)
      log(
        `ui: trade → chart p50 ${fmt(ttc.p50)} ms, p95 ${fmt(ttc.p95)} ms, p99 ${fmt(ttc.p99)} ms ` +
          `over ${fmt(ttc.samples)} of ${fmt(ttc.population)} trades`,
      )
    else log(`ui: trade → chart not measured: no painted snapshot with data-snapshot-at held a trade`)
    await pool.end()
    pool = null
    // The page first: left open, it would log its reconnect attempts as errors.
    await ctx.close()
    const measuredExit = await serve.stop()
    serve = null

    const procPct = (k: string): number | null =>
      proc0?.[k] !== undefined && proc1?.[k] !== undefined ? pct(proc1[k] - proc0[k], wall) : null
    const wallS = (a: number | null, b: number | null): number | null =>
      a === null || b === null ? null : pct(b - a, wall)
    return {
      offeredPerS: rate,
      chromium: browser.version(),
      firstChartMs,
      firstChart: { urlMs, panel: first.firstReadyPanel, window, serveStartup },
      tradeToChart: ttc,
      rendererCpuPct,
      heapGrowthPct,
      kpiPushCost,
      detail: {
        warmUpSeconds: WARM_UP_S,
        timeDomain,
        measuredSeconds: wall / 1000,
        writtenPerS,
        paints: allPaints.length,
        paintsWithoutSnapshotAt: allPaints.filter((p) => !Number.isFinite(p.snapshotAt)).length,
        heapMb: { start: mb(heapStart), end: mb(heapEnd) },
        heapFromWindowFull: heapWindowFull && {
          s: heapWindowFull.s,
          mb: mb(heapWindowFull.bytes),
          growthPct: ((heapEnd - heapWindowFull.bytes) / heapWindowFull.bytes) * 100,
        },
        domNodes: { start: m0.nodes, end: m1.nodes },
        rendererCpuSplitPct: {
          script: pct(m1.scriptS - m0.scriptS, wall),
          layout: pct(m1.layoutS - m0.layoutS, wall),
          style: pct(m1.styleS - m0.styleS, wall),
        },
        processCpuPct: {
          chromium_renderer: procPct('renderer'),
          chromium_gpu: procPct('GPU'),
          chromium_browser: procPct('browser'),
          serve: wallS(srv0.serve, srv1.serve),
          broker: pct(cpuDelta(srv0.broker, srv1.broker), wall),
          postgres: pct(cpuDelta(srv0.postgres, srv1.postgres), wall),
        },
        timeline,
        pageErrors: errors.slice(0, 20),
        serveExit: { warm: warmExit, measured: measuredExit },
        loadAvg: { start: loadStart, end: loadavg() },
      },
    }
  } catch (err) {
    throw withOutput(serve, err)
  } finally {
    await pool?.end().catch(() => undefined)
    await serve?.stop().catch(() => undefined)
    await browser.close().catch(() => undefined)
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined)
  }
}

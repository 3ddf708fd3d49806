import type { Browser, CDPSession, Page } from 'playwright-core'

/** What the page records about itself (window.__tfBench), read back with readProbe(). */
export interface Paint {
  /** Date.now() in the page, one animation frame after the panel's data-updated changed */
  paintedAt: number
  /** the drawn snapshot's `at` (its query's start): every trade written before it is in it */
  snapshotAt: number
}

export interface ProbeState {
  /** Date.now() one animation frame after the first panel showed data-state="ready" */
  firstReadyAt: number | null
  firstReadyPanel: string | null
  paints: Paint[]
}

/**
 * Installed with addInitScript, so it runs before the dashboard's own code. Plain text rather
 * than a function: tsx would compile a function with helpers that do not exist in the page.
 * One MutationObserver on the whole document: the first panel to turn "ready", and every
 * data-updated of the trades-per-second panel, each stamped one requestAnimationFrame later
 * (ECharts draws in its own frame callback, requested before ours, so the canvas holds the new
 * option by then; the browser paints that frame next).
 * snapshotAt is the panel's data-snapshot-at: the shown snapshot's query start.
 */
export const PROBE_SCRIPT = `(() => {
  const probe = { firstReadyAt: null, firstReadyPanel: null, paints: [] };
  window.__tfBench = probe;
  let readySeen = false;
  const checkReady = () => {
    if (readySeen) return;
    const el = document.querySelector('[data-testid^="panel-"][data-state="ready"]');
    if (!el) return;
    readySeen = true;
    requestAnimationFrame(() => {
      probe.firstReadyAt = Date.now();
      probe.firstReadyPanel = el.getAttribute('data-testid');
    });
  };
  const observer = new MutationObserver((mutations) => {
    checkReady();
    for (const m of mutations) {
      if (m.type !== 'attributes' || m.attributeName !== 'data-updated') continue;
      const el = m.target;
      if (el.getAttribute('data-testid') !== 'panel-trades-per-second') continue;
      const snapshotAt = Number(el.getAttribute('data-snapshot-at'));
      requestAnimationFrame(() => probe.paints.push({ paintedAt: Date.now(), snapshotAt }));
    }
  });
  observer.observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-state', 'data-updated'],
  });
})();`

export async function readProbe(page: Page): Promise<ProbeState> {
  return (await page.evaluate('window.__tfBench')) as ProbeState
}

/**
 * Polls an expression in the page until it is truthy. page.evaluate goes through CDP's
 * Runtime.evaluate, which the dashboard's CSP (script-src 'self') does not block, where
 * waitForFunction's predicate would be.
 */
export async function pollPage(
  page: Page,
  expression: string,
  timeoutMs: number,
  everyMs = 50,
): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    if (await page.evaluate(expression)) return
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** Waits until the probe saw the first ready panel; polls every 50 ms. */
export async function waitFirstReady(page: Page, timeoutMs: number): Promise<void> {
  await pollPage(page, 'Boolean(window.__tfBench && window.__tfBench.firstReadyAt !== null)', timeoutMs)
}

/** Each panel's data-state/data-updated, for progress lines and failure messages. */
export async function panelStates(page: Page): Promise<string> {
  return (await page.evaluate(`[...document.querySelectorAll('[data-testid^="panel-"][data-state]')]
    .map((el) => el.getAttribute('data-testid').slice(6) + '=' + el.getAttribute('data-state') + '/' + el.getAttribute('data-updated'))
    .join(' ')`)) as string
}

export async function pipelineWord(page: Page): Promise<string> {
  return ((await page.getByTestId('pipeline-state').textContent({ timeout: 5_000 })) ?? '').trim()
}

/** Presses Start or Stop and waits for the state word; `want` is 'running' or 'stopped'. */
export async function startStop(page: Page, want: 'running' | 'stopped', timeoutMs = 180_000): Promise<void> {
  await page.getByTestId('start-stop').click()
  try {
    await pollPage(
      page,
      `(document.querySelector('[data-testid="pipeline-state"]')?.textContent ?? '').trim() === ${JSON.stringify(want)}`,
      timeoutMs,
      100,
    )
  } catch (err) {
    const error = await page
      .getByTestId('start-stop-error')
      .textContent({ timeout: 500 })
      .catch(() => null)
    throw new Error(
      `the pipeline did not reach "${want}": state ${await pipelineWord(page)}${error ? `, ${error}` : ''}`,
      {
        cause: err,
      },
    )
  }
}

/** Renderer metrics over CDP (Performance domain), in seconds and bytes. */
export interface RendererMetrics {
  at: number
  taskS: number
  scriptS: number
  layoutS: number
  styleS: number
  heapUsed: number
  heapTotal: number
  nodes: number
  listeners: number
}

/**
 * A CDP session on the page with the Performance and HeapProfiler domains. Durations are asked
 * for in thread CPU time ('threadTicks'): in the default wall time a busy machine, which
 * deschedules the renderer mid-task, would count as renderer work.
 */
export async function openMetrics(page: Page): Promise<{ cdp: CDPSession; timeDomain: string }> {
  const cdp = await page.context().newCDPSession(page)
  let timeDomain = 'threadTicks'
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' }).catch(async () => {
    timeDomain = 'timeTicks'
    await cdp.send('Performance.enable')
  })
  await cdp.send('HeapProfiler.enable')
  return { cdp, timeDomain }
}

export async function readMetrics(cdp: CDPSession): Promise<RendererMetrics> {
  const { metrics } = await cdp.send('Performance.getMetrics')
  const m = new Map(metrics.map((x) => [x.name, x.value]))
  const v = (k: string): number => m.get(k) ?? NaN
  return {
    at: Date.now(),
    taskS: v('TaskDuration'),
    scriptS: v('ScriptDuration'),
    layoutS: v('LayoutDuration'),
    styleS: v('RecalcStyleDuration'),
    heapUsed: v('JSHeapUsedSize'),
    heapTotal: v('JSHeapTotalSize'),
    nodes: v('Nodes'),
    listeners: v('JSEventListeners'),
  }
}

/** A forced full GC, then the used heap: the live set without garbage waiting to be collected. */
export async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  return (await readMetrics(cdp)).heapUsed
}

/**
 * CPU seconds of Chromium's processes by type (browser, renderer, GPU, utility…), from the
 * browser's SystemInfo domain: the whole renderer process, its compositor and GC threads too,
 * where TaskDuration counts the main thread's tasks. Null when the domain is not there.
 */
export async function processCpu(browser: Browser): Promise<Record<string, number> | null> {
  try {
    const cdp = await browser.newBrowserCDPSession()
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo' as never)) as {
      processInfo: { type: string; id: number; cpuTime: number }[]
    }
    await cdp.detach()
    const out: Record<string, number> = {}
    for (const p of processInfo) out[p.type] = (out[p.type] ?? 0) + p.cpuTime
    return out
  } catch {
    return null
  }
}

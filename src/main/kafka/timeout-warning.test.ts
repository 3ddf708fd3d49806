import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'

// Node warns about a negative timeout once per process, so each case runs in a fresh one.
// kafkajs's own RequestQueue schedules its next check with a negative delay, as on every response.
const KAFKAJS_TIMER = `
  const { createRequire } = await import('node:module')
  const RequestQueue = createRequire(process.cwd() + '/')('kafkajs/src/network/requestQueue')
  const noop = () => undefined
  const logger = { debug: noop, info: noop, warn: noop, error: noop }
  logger.namespace = () => logger
  const queue = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, clientId: 't', broker: 'b', logger })
  queue.scheduleCheckPendingRequests()
  setTimeout(() => queue.destroy(), 20)`
const FILTER = `(await import('./src/main/kafka/timeout-warning.ts')).quietKafkajsNegativeTimeouts()`
const OUR_TIMER = `setTimeout(() => undefined, -5)`

/** What a fresh Node process running `code` (an ES module) printed to stderr. */
function stderrOf(code: string): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      { timeout: 30_000 },
      (err, _out, stderr) => (err ? reject(err) : resolve(stderr)),
    ),
  )
}

const node24 = Number(process.versions.node.split('.')[0]) >= 24

describe('quietKafkajsNegativeTimeouts', () => {
  it.runIf(node24)('Node 24 warns about the negative delay of kafkajs 2.2.4 without the filter', async () => {
    expect(await stderrOf(KAFKAJS_TIMER)).toContain('TimeoutNegativeWarning')
  })

  it("drops kafkajs's warning", async () => {
    expect(await stderrOf(`${FILTER}\n${KAFKAJS_TIMER}`)).not.toContain('TimeoutNegativeWarning')
  })

  it.runIf(node24)('keeps the same warning from our own code, and every other warning', async () => {
    expect(await stderrOf(`${FILTER}\n${OUR_TIMER}`)).toContain('TimeoutNegativeWarning')
    expect(await stderrOf(`${FILTER}\nprocess.emitWarning('x', 'OtherWarning')`)).toContain('OtherWarning')
  })
})

import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, inject, it } from 'vitest'
import type { Notice, Pipeline } from '../src/main/pipeline/pipeline'
import { FinnhubClient } from '../src/main/pipeline/sources/finnhub-client'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { missingFrom, openHarness, storedTradeKeys, tradeKey, waitFor, type Harness } from './helpers/harness'
import { Teardown } from './helpers/teardown'
import { kafkaSaslEnv } from './helpers/test-kafka'

let h: Harness | null = null
let sim: Simulator | null = null
const teardown = new Teardown()
afterEach(async () => {
  await teardown.run() // the group member, should the test time out before it joined
  await sim?.stop()
  await h?.close()
  sim = h = null
})

/**
 * The dead member's session, which is what the writer's join waits out (the writer's own session
 * plays no part). The broker's group.min.session.timeout.ms, 6 s, is the shortest it accepts; that
 * still leaves seconds between the first 200 trades (well under 1 s after the kill) and the join.
 */
const DEAD_MEMBER_SESSION_MS = 6_000

/**
 * Leaves the harness's group with a member that was SIGKILLed, as a crashed run does: the next
 * member's join waits until the group gives up on it (its session, DEAD_MEMBER_SESSION_MS).
 */
async function killGroupMember(h: Harness): Promise<void> {
  const child = teardown.child(
    spawn(process.execPath, ['--import', 'tsx', 'test/helpers/group-member-child.ts'], {
      env: {
        ...process.env,
        BROKERS: inject('kafkaBrokers'),
        ...kafkaSaslEnv(),
        GROUP: h.groupId,
        TOPIC: h.topic,
        SESSION_MS: String(DEAD_MEMBER_SESSION_MS),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )
  const exited = once(child, 'exit')
  try {
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (l) => l === 'joined' && resolve())
      void exited.then(() => reject(new Error('the group member exited before it joined')))
    })
  } finally {
    child.kill('SIGKILL')
    await exited
  }
}

async function startOnCrashedGroup(): Promise<{ h: Harness; sim: Simulator; pipeline: Pipeline }> {
  const harness = await openHarness()
  await killGroupMember(harness)
  const simulator = await startSimulator({ seed: 31, tradesPerSecond: 500, retainSent: true })
  const pipeline = harness.pipeline(
    new FinnhubClient({ url: simulator.url, symbols: ['AAPL', 'AMZN'], kind: 'demo' }),
  )
  return { h: harness, sim: simulator, pipeline }
}

describe('a start after a crash', () => {
  it('takes in trades at once while the writer waits for the group, then writes them all', async () => {
    const run = await startOnCrashedGroup()
    ;({ h, sim } = run)
    const { pipeline } = run
    await pipeline.start()
    // start() did not wait for the join: the group still waits out the dead member.
    expect(pipeline.status().consumer.state).toBe('starting')
    const early = await waitFor(
      'trades in Kafka',
      () => pipeline.status(),
      (s) => s.counters.produced >= 200,
    )
    expect(early.consumer.state).toBe('starting')
    expect(early.counters.written).toBe(0)

    await waitFor(
      'the writer to join',
      () => pipeline.status().consumer.state,
      (s) => s === 'running',
      90_000,
    )
    run.sim.setRate(0)
    const sent = run.sim.stats().sentTrades
    await waitFor(
      'every sent trade received',
      () => pipeline.status().counters.received,
      (n) => n >= sent,
    )
    await pipeline.stop()
    const stored = await storedTradeKeys(run.h.db)
    const expected = run.sim.sent.map(tradeKey)
    expect(missingFrom(expected, stored)).toEqual([])
    expect(missingFrom(stored, expected)).toEqual([])
  }, 180_000)

  it('stops without waiting for the writer to join, leaving the trades in Kafka', async () => {
    const run = await startOnCrashedGroup()
    ;({ h, sim } = run)
    const { pipeline } = run
    const alerts: Notice[] = []
    pipeline.onAlert((a) => alerts.push(a))
    await pipeline.start()
    await waitFor(
      'trades in Kafka',
      () => pipeline.status().counters.produced,
      (n) => n >= 200,
    )
    expect(pipeline.status().consumer.state).toBe('starting')

    // The notice below proves the stop did not wait for the join: no stopwatch needed.
    await pipeline.stop(2_000)
    const st = pipeline.status()
    expect(st).toMatchObject({ state: 'stopped', consumer: { state: 'stopped' } })
    expect(alerts.map((a) => a.message)).toContain(
      'stopped before the writer had joined its group; the records stay in Kafka for the next start',
    )
    const admin = run.h.kafka.admin()
    await admin.connect()
    try {
      const ends = await admin.fetchTopicOffsets(run.h.topic)
      expect(ends.reduce((n, p) => n + Number(p.high), 0)).toBe(st.counters.produced)
    } finally {
      await admin.disconnect()
    }
  }, 180_000)
})

import { Kafka, logLevel } from 'kafkajs'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import type { PipelineState } from '../../shared/status'
import { resolveSettings } from '../config'
import { createPipeline, type PipelineServices } from '../services'
import type { Pipeline } from './pipeline'
import { idleStatus } from './pipeline-status'
import { DemoSource } from './sources/demo-source'

// Nothing listens on port 1, so the start fails at its first step (asking the cluster's id), after
// the 'starting' status: enough to see what a throwing listener does to start() and stop(). The
// clients are real; they only never reach a server.
const NOWHERE = '127.0.0.1:1'
const pools: pg.Pool[] = []

afterEach(async () => {
  for (const p of pools.splice(0)) await p.end()
})

function unreachablePipeline(): Pipeline {
  const url = 'postgres://nobody@127.0.0.1:1/none'
  const pool = new pg.Pool({ connectionString: url })
  pools.push(pool)
  const services: PipelineServices = {
    settings: resolveSettings(
      { dataDir: '/nonexistent', topic: 'trades-nowhere', groupId: 'writer-nowhere' },
      {},
    ),
    kafka: new Kafka({ brokers: [NOWHERE], logLevel: logLevel.NOTHING, retry: { retries: 0 } }),
    kafkaConnection: { brokers: [NOWHERE] },
    kafkaTarget: NOWHERE,
    kafkaManaged: false,
    db: { pool, url, schema: 'public', embedded: false, close: () => pool.end() },
  }
  return createPipeline(services, { source: new DemoSource(), partitions: 1, bufferCapacity: 10 })
}

describe('Pipeline listeners', () => {
  it('a throwing status listener aborts neither start() nor stop() halfway', async () => {
    const p = unreachablePipeline()
    const seen: PipelineState[] = []
    p.onStatus(() => {
      throw new Error('a listener bug')
    })
    p.onStatus((s) => seen.push(s.state))
    // The start fails for its own reason (no broker), not the listener's, and says so.
    await expect(p.start()).rejects.not.toThrow('a listener bug')
    expect(p.status().state).toBe('failed')
    await p.stop(0)
    expect(p.status().state).toBe('stopped')
    expect(seen[0]).toBe('starting')
    expect(seen).toContain('failed')
    expect(seen.at(-1)).toBe('stopped')
  })
})

describe('the idle status', () => {
  it("has the shape of a pipeline's that has not started: only the source is unknown", () => {
    const s = unreachablePipeline().status()
    const idle = idleStatus(s.symbols, { kafka: s.kafka, postgres: s.postgres, storage: s.storage })
    expect(idle.source).toBeNull()
    expect({ ...idle, source: s.source, at: 0 }).toEqual({ ...s, at: 0 })
  })
})

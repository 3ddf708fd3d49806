import { rm } from 'node:fs/promises'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { createKafka } from '../src/main/kafka/client'
import {
  clusterStatus,
  startDetachedCluster,
  stopDetachedCluster,
  type DetachedCluster,
} from '../src/main/kafka/broker/local-cluster'
import { startSimulator, type Simulator } from '../src/main/pipeline/sources/simulator'
import { killCliProcesses, spawnCli, stopWhenSettled } from './helpers/cli-process'
import { expectStoredAsSent, waitFor } from './helpers/harness'
import { killMentioning } from './helpers/processes'
import { tempDataDir } from './helpers/services-pipeline'
import { kafkaSaslEnv } from './helpers/test-kafka'
import { dropTestSchema, openTestDatabase, uniqueSchemaName } from './setup/test-database'

// Only a cap for a hung run: the test stops the CLI itself once every sent trade is stored.
const DURATION_S = 300
const TOPIC_CONFIG_RESOURCE = 2 // kafkajs ConfigResourceTypes.TOPIC (CommonJS-only enum)

let sim: Simulator | null = null
let dir: string | null = null
let schema: string | null = null
afterEach(async () => {
  await killCliProcesses()
  await sim?.stop()
  if (dir) {
    await stopDetachedCluster(dir, { timeoutMs: 20_000 }).catch(() => undefined)
    await killMentioning(dir) // whatever a failed stop left behind, never outside this data dir
    await rm(dir, { recursive: true, force: true })
  }
  if (schema) await dropTestSchema(schema)
  sim = dir = schema = null
})

/** Replication of the topic as the cluster reports it: copies per partition, and min.insync.replicas. */
async function topicReplication(
  cluster: DetachedCluster,
  topic: string,
): Promise<{ replicas: number[]; minIsr: string | undefined; leader0: number }> {
  const admin = createKafka({
    brokers: cluster.bootstrap.split(','),
    clientId: 'cluster-test',
    sasl: cluster.sasl,
  }).admin()
  await admin.connect()
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] })
    const partitions = meta.topics[0]!.partitions
    const res = await admin.describeConfigs({
      resources: [{ type: TOPIC_CONFIG_RESOURCE, name: topic, configNames: ['min.insync.replicas'] }],
      includeSynonyms: false,
    })
    return {
      replicas: partitions.map((p) => p.replicas.length),
      minIsr: res.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas')
        ?.configValue,
      leader0: partitions.find((p) => p.partitionId === 0)!.leader,
    }
  } finally {
    await admin.disconnect()
  }
}

describe('a local three-node KRaft cluster', () => {
  it('loses and doubles no trade when a broker is SIGKILLed mid-stream; the CLI drains and exits 0', async () => {
    dir = await tempDataDir('tickflow-cluster-')
    schema = uniqueSchemaName('kc')
    const topic = `kc-${schema}`

    const startedAt = Date.now()
    const cluster = await startDetachedCluster({ dataDir: dir, nodes: 3, port: 0, heapMb: 256 })
    console.log(`[kafka-cluster] 3 nodes up in ${Date.now() - startedAt} ms: ${cluster.bootstrap}`)
    expect(cluster.nodes).toHaveLength(3)

    sim = await startSimulator({ seed: 33, tradesPerSecond: 400, tradesPerFrame: [1, 6], retainSent: true })
    const args = [
      ...['--source', 'finnhub', '--finnhub-url', sim.url, '--symbols', 'AAPL,AMZN,BINANCE:BTCUSDT'],
      ...['--brokers', cluster.bootstrap, '--topic', topic, '--group-id', topic],
      ...['--database-url', inject('databaseUrl'), '--schema', schema],
      ...['--data-dir', dir, '--duration', String(DURATION_S)],
    ]
    const cli = spawnCli(args, { env: { FINNHUB_TOKEN: 'any-token', ...kafkaSaslEnv(cluster.sasl) } })
    const { out } = cli

    const before = await waitFor(
      'rows written before the kill',
      () => ({ rows: cli.rows(), alive: cli.running(), stderr: out.stderr }),
      (v) => !v.alive || v.rows >= 500,
      120_000,
    )
    expect(before.alive, before.stderr).toBe(true)

    // The topic the pipeline created keeps three copies and needs two in sync.
    const replication = await topicReplication(cluster, topic)
    expect(replication.replicas).toEqual([3, 3, 3])
    expect(replication.minIsr).toBe('2')

    // Kill the leader of partition 0, so some partitions must move to a surviving copy.
    const victim = cluster.nodes.find((n) => n.nodeId === replication.leader0)!
    process.kill(victim.pid, 'SIGKILL')
    const killedAt = Date.now()
    const atKill = cli.rows()
    const status = await waitFor(
      'the cluster to see the node gone',
      () => clusterStatus(dir!),
      (s) => s.nodes.filter((n) => n.running).length === 2,
    )
    expect(status.nodes.find((n) => n.nodeId === victim.nodeId)?.running).toBe(false)

    const after = await waitFor(
      'writes to go on with two brokers',
      () => ({ rows: cli.rows(), alive: cli.running(), stderr: out.stderr }),
      (v) => !v.alive || v.rows >= atKill + 1_000,
      120_000,
    )
    expect(after.alive, after.stderr).toBe(true)
    console.log(
      `[kafka-cluster] node ${victim.nodeId} killed; 1,000 more rows after ${Date.now() - killedAt} ms`,
    )
    sim.setRate(0)
    // Every commit's answer arrives (PostgreSQL is not what fails here), so `rows` is the stored count.
    const { code } = await stopWhenSettled(cli, { expected: () => sim!.stats().sentTrades })
    expect(out.stderr).toContain('terminated: draining')
    expect(code, out.stderr).toBe(0)
    expect(out.stdout).not.toMatch(/ failed \(/)
    const last = cli.lastLine()
    expect(last).toMatch(/stopped .* lag 0 · rows \d+ · rejects 0 · dropped 0/)

    const db = await openTestDatabase({ schema })
    try {
      await expectStoredAsSent(db, sim)
    } finally {
      await db.close() // drops the schema; afterEach then has nothing left to drop
    }

    const { stopped } = await stopDetachedCluster(dir)
    expect(stopped.map((n) => n.nodeId).sort()).toEqual(
      cluster.nodes.filter((n) => n !== victim).map((n) => n.nodeId),
    )
  }, 500_000)
})

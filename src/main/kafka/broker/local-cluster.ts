// A local KRaft cluster (`npm run kafka -- start --nodes 3`): N combined broker+controller nodes,
// each a detached broker (detached-broker.ts) with its own data dir <dataDir>/kafka-cluster/node-N.
// Every node's static voter list names every controller's port, so the ports are chosen for all
// nodes at once and kept in cluster.json, with the cluster id they were formatted with.
import { mkdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { writeFileAtomic } from '../../base/atomic-file'
import { clusterNodeOverrides, newClusterId, parseMetaProperties } from './broker-config'
import { DEFAULT_PORT, freePort, isPortFree, type LaunchOptions } from './broker-launch'
import { acquireStartLock } from './broker-state'
import { resolveBrokerClasspath } from '../jars/classpath'
import { createKafka } from '../client'
import { brokerStatus, startDetachedBroker, stopDetachedBroker } from './detached-broker'
import { brokerDirs } from './paths'
import { ensurePassword, managedSasl, passwordFileOf, type ManagedSasl } from './credentials'

export const MAX_NODES = 9

const nodeLayoutSchema = z.object({
  nodeId: z.number().int().min(1),
  port: z.number().int().min(1).max(65535),
  controllerPort: z.number().int().min(1).max(65535),
})

export const clusterLayoutSchema = z.object({
  clusterId: z.string().min(1),
  nodes: z.array(nodeLayoutSchema).min(1).max(MAX_NODES),
})

export type NodeLayout = z.infer<typeof nodeLayoutSchema>
export type ClusterLayout = z.infer<typeof clusterLayoutSchema>

export interface ClusterDirs {
  root: string
  layout: string
  /** the password every node's user shares (credentials.ts) */
  password: string
  startLock: string
  /** the data dir handed to the node's broker; its files are under <node>/kafka (paths.ts) */
  node(nodeId: number): string
}

export function clusterDirs(dataDir: string): ClusterDirs {
  const root = join(resolve(dataDir), 'kafka-cluster')
  return {
    root,
    layout: join(root, 'cluster.json'),
    password: passwordFileOf(root),
    startLock: join(root, 'start.lock'),
    node: (nodeId) => join(root, `node-${nodeId}`),
  }
}

/** A corrupt or foreign file reads as "no layout". */
export function parseClusterLayout(text: string): ClusterLayout | undefined {
  try {
    const result = clusterLayoutSchema.safeParse(JSON.parse(text))
    return result.success ? result.data : undefined
  } catch {
    return undefined
  }
}

export function clusterBootstrap(nodes: readonly { port: number }[]): string {
  return nodes.map((n) => `127.0.0.1:${n.port}`).join(',')
}

async function readLayout(path: string): Promise<ClusterLayout | undefined> {
  return parseClusterLayout(await readFile(path, 'utf8').catch(() => ''))
}

async function writeLayout(path: string, layout: ClusterLayout): Promise<void> {
  // 0o644 as before: ports and ids, no secret
  await writeFileAtomic(path, JSON.stringify(layout, null, 2) + '\n', { mode: 0o644 })
}

async function freePortNotIn(used: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort()
    if (!used.has(port)) return port
  }
}

async function allFree(ports: number[]): Promise<boolean> {
  for (const p of ports) if (!(await isPortFree(p))) return false
  return true
}

/**
 * Ports for n nodes. Broker ports: `requested` undefined takes the saved ones if free, else
 * 9092, 9093, … if free, else any free ports; 0 any free ports; P exactly P, P+1, …
 * Controller ports are any free ones (or the saved ones, with the saved broker ports).
 */
export async function planLayout(
  clusterId: string,
  n: number,
  requested?: number,
  saved?: ClusterLayout,
): Promise<ClusterLayout> {
  if (saved && requested === undefined && saved.nodes.length === n) {
    if (await allFree(saved.nodes.flatMap((x) => [x.port, x.controllerPort]))) return { ...saved, clusterId }
  }
  const seq = (first: number): number[] => Array.from({ length: n }, (_, i) => first + i)
  let ports: number[] | undefined
  if (requested !== undefined && requested !== 0) {
    ports = seq(requested)
    if (ports.at(-1)! > 65535 || !(await allFree(ports)))
      throw new Error(`ports ${requested}-${requested + n - 1} are not all free: pick others with --port`)
  } else if (requested === undefined && (await allFree(seq(DEFAULT_PORT)))) {
    ports = seq(DEFAULT_PORT)
  }
  const used = new Set(ports ?? [])
  if (!ports) {
    ports = []
    for (let i = 0; i < n; i++) ports.push(await freePortNotIn(used).then((p) => (used.add(p), p)))
  }
  const nodes: NodeLayout[] = []
  for (let i = 0; i < n; i++) {
    const controllerPort = await freePortNotIn(used)
    used.add(controllerPort)
    nodes.push({ nodeId: i + 1, port: ports[i]!, controllerPort })
  }
  return { clusterId, nodes }
}

/** The cluster id the nodes' storage was formatted with, if any node was; all must agree. */
async function formattedClusterId(dirs: ClusterDirs, n: number, saved?: string): Promise<string | undefined> {
  const ids = new Set<string>(saved ? [saved] : [])
  for (let id = 1; id <= n; id++) {
    const meta = join(brokerDirs(dirs.node(id)).logDirs, 'meta.properties')
    const found = parseMetaProperties(await readFile(meta, 'utf8').catch(() => '')).clusterId
    if (found) ids.add(found)
  }
  if (ids.size > 1)
    throw new Error(`the nodes in ${dirs.root} belong to different clusters (${[...ids].join(', ')})`)
  return [...ids][0]
}

export type NodeStatus =
  | { nodeId: number; port: number; running: true; pid: number }
  | { nodeId: number; port: number; running: false }

export interface ClusterStatus {
  dataDir: string
  /** empty when no cluster was started in this data dir */
  nodes: NodeStatus[]
}

export async function clusterStatus(dataDir: string): Promise<ClusterStatus> {
  const dirs = clusterDirs(dataDir)
  const layout = await readLayout(dirs.layout)
  const nodes = await Promise.all(
    (layout?.nodes ?? []).map(async (n): Promise<NodeStatus> => {
      const s = await brokerStatus(dirs.node(n.nodeId))
      return s.running
        ? { nodeId: n.nodeId, port: s.port, running: true, pid: s.pid }
        : { nodeId: n.nodeId, port: n.port, running: false }
    }),
  )
  return { dataDir: dirs.root, nodes }
}

export interface LocalClusterOptions extends Omit<LaunchOptions, 'controllerPort' | 'clusterId'> {
  nodes: number
}

export interface DetachedCluster {
  /** every node, `host:port,…`, as --brokers takes it */
  bootstrap: string
  clusterId: string
  /** what its clients authenticate with */
  sasl: ManagedSasl
  nodes: { nodeId: number; port: number; pid: number }[]
  /** false when every node was already running */
  started: boolean
}

/**
 * Starts the nodes of this data dir's cluster that are not running, all at once (a node's broker
 * waits for a quorum of controllers), and resolves when every node is a live broker of the cluster.
 */
export async function startDetachedCluster(opts: LocalClusterOptions): Promise<DetachedCluster> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 2 || opts.nodes > MAX_NODES)
    throw new Error(`a local cluster has 2 to ${MAX_NODES} nodes, not ${opts.nodes}`)
  const dirs = clusterDirs(opts.dataDir)
  await mkdir(dirs.root, { recursive: true })
  const unlock = await acquireStartLock(dirs.startLock)
  try {
    return await startUnlocked(opts, dirs)
  } finally {
    await unlock()
  }
}

async function startUnlocked(opts: LocalClusterOptions, dirs: ClusterDirs): Promise<DetachedCluster> {
  const progress = opts.onProgress ?? ((): void => {})
  const saved = await readLayout(dirs.layout)
  // The voters are in every node's metadata log; another count would need a quorum reconfiguration.
  if (saved && saved.nodes.length !== opts.nodes)
    throw new Error(
      `${dirs.root} holds a ${saved.nodes.length}-node cluster: use --nodes ${saved.nodes.length}, or stop it and delete that directory`,
    )
  const before = (await clusterStatus(opts.dataDir)).nodes
  const running = new Set(before.filter((s) => s.running).map((s) => s.nodeId))
  const clusterId = (await formattedClusterId(dirs, opts.nodes, saved?.clusterId)) ?? newClusterId()
  // Once, before the nodes start: three first starts at once would run Maven into one cache.
  await resolveBrokerClasspath({
    resourcesDir: opts.resourcesDir,
    cacheDir: opts.cacheDir,
    onProgress: progress,
  })
  const timeoutMs = opts.startTimeoutMs ?? 120_000
  const sasl = managedSasl(await ensurePassword(dirs.password))

  for (let attempt = 1; ; attempt++) {
    // Running nodes pin the layout: their voter lists name the others' controller ports.
    const layout =
      running.size > 0
        ? { ...saved!, clusterId }
        : await planLayout(clusterId, opts.nodes, attempt === 1 ? opts.port : 0, saved)
    await writeLayout(dirs.layout, layout)
    const todo = layout.nodes.filter((n) => !running.has(n.nodeId))
    const results = await Promise.allSettled(
      todo.map((n) =>
        startDetachedBroker({
          ...opts,
          dataDir: dirs.node(n.nodeId),
          port: n.port,
          controllerPort: n.controllerPort,
          clusterId,
          password: sasl.password,
          controllerPorts: layout.nodes.map((x) => x.controllerPort),
          startTimeoutMs: timeoutMs,
          overrides: { ...clusterNodeOverrides(n.nodeId, layout.nodes), ...opts.overrides },
          onProgress: (m) => progress(`node ${n.nodeId}: ${m}`),
        }),
      ),
    )
    const failure = results.find((r) => r.status === 'rejected')
    if (!failure) {
      await waitForBrokers(layout, sasl, timeoutMs)
      const now = await clusterStatus(opts.dataDir)
      return {
        bootstrap: clusterBootstrap(layout.nodes),
        clusterId,
        sasl,
        nodes: now.nodes.flatMap((s) => (s.running ? [{ nodeId: s.nodeId, port: s.port, pid: s.pid }] : [])),
        started: todo.length > 0,
      }
    }
    // A node that did not come up leaves the others without their quorum: stop what started here.
    await Promise.all(
      todo.map((n, i) =>
        results[i]!.status === 'fulfilled' ? stopDetachedBroker(dirs.node(n.nodeId)) : null,
      ),
    )
    const err = failure.reason as Error & { bindFailure?: boolean }
    // Ports picked by us can be taken before a JVM binds them; pick new ones for every node.
    const portTaken = err.bindFailure === true || /already in use/.test(err.message)
    const auto = opts.port === undefined || opts.port === 0
    if (!portTaken || !auto || running.size > 0 || attempt >= 3) throw err
    progress('a port was taken meanwhile, retrying with new ones')
  }
}

/** Each node answered alone; now wait until they all see each other as live brokers. */
async function waitForBrokers(layout: ClusterLayout, sasl: ManagedSasl, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const kafka = createKafka(
    { brokers: layout.nodes.map((n) => `127.0.0.1:${n.port}`), clientId: 'tickflow-readiness', sasl },
    { connectionTimeoutMs: 1000, retry: { retries: 0 } },
  )
  let seen = 0
  for (;;) {
    const admin = kafka.admin()
    try {
      await admin.connect()
      const cluster = await admin.describeCluster()
      if (cluster.clusterId === layout.clusterId) seen = cluster.brokers.length
      if (seen === layout.nodes.length) return
    } catch {
      // A node between elections; ask again. The deadline's error says how many brokers were live.
    } finally {
      // A poll's client; a failed disconnect loses nothing the next poll needs.
      await admin.disconnect().catch(() => {})
    }
    if (Date.now() > deadline)
      throw new Error(`Kafka cluster: ${seen} of ${layout.nodes.length} brokers live after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Stops every node of this data dir's cluster at once; the layout stays for the next start. */
export async function stopDetachedCluster(
  dataDir: string,
  opts: { timeoutMs?: number } = {},
): Promise<{ stopped: { nodeId: number; pid: number }[] }> {
  const dirs = clusterDirs(dataDir)
  const layout = await readLayout(dirs.layout)
  // At once: a node stopped alone waits for the others' controllers, which is what they then lack.
  const results = await Promise.all(
    (layout?.nodes ?? []).map(async (n) => ({
      nodeId: n.nodeId,
      ...(await stopDetachedBroker(dirs.node(n.nodeId), opts)),
    })),
  )
  return {
    stopped: results.flatMap((r) => (r.wasRunning && r.pid ? [{ nodeId: r.nodeId, pid: r.pid }] : [])),
  }
}

/** One line for `npm run kafka -- status`; undefined when no cluster was started here. */
export function describeClusterStatus(s: ClusterStatus): string | undefined {
  if (s.nodes.length === 0) return undefined
  const up = s.nodes.flatMap((n) => (n.running ? [n] : []))
  if (up.length === 0) return `cluster stopped (${s.dataDir})`
  const down = s.nodes.filter((n) => !n.running).map((n) => `node ${n.nodeId}`)
  const state = down.length === 0 ? 'running' : 'degraded'
  const detail = [
    `${up.length} of ${s.nodes.length} nodes`,
    `pids ${up.map((n) => n.pid).join(' ')}`,
    ...(down.length ? [`${down.join(', ')} stopped`] : []),
    s.dataDir,
  ]
  return `cluster ${state} ${clusterBootstrap(up)} (${detail.join(', ')})`
}

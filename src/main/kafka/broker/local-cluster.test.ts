import { createServer, type Server } from 'node:net'
import { describe, expect, it } from 'vitest'
import { freePort } from './broker-launch'
import {
  clusterBootstrap,
  clusterDirs,
  describeClusterStatus,
  parseClusterLayout,
  planLayout,
  type ClusterLayout,
} from './local-cluster'

const layout: ClusterLayout = {
  clusterId: 'LC-YjrPseCqhhH-WYv1ZAg',
  nodes: [
    { nodeId: 1, port: 40001, controllerPort: 41001 },
    { nodeId: 2, port: 40002, controllerPort: 41002 },
    { nodeId: 3, port: 40003, controllerPort: 41003 },
  ],
}

async function listen(port: number): Promise<Server> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return server
}

/** A port p with p..p+n-1 all free, found by asking the OS and checking the ones after it. */
async function freeRun(n: number): Promise<number> {
  for (;;) {
    const first = await freePort()
    const servers: Server[] = []
    try {
      for (let i = 0; i < n; i++) servers.push(await listen(first + i))
      return first
    } catch {
      // one of them is taken; try another start
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
    }
  }
}

describe('cluster layout', () => {
  it('keeps each node in a directory of its own under kafka-cluster', () => {
    const dirs = clusterDirs('/d')
    expect(dirs.root).toBe('/d/kafka-cluster')
    expect(dirs.layout).toBe('/d/kafka-cluster/cluster.json')
    expect(dirs.node(2)).toBe('/d/kafka-cluster/node-2')
  })

  it('reads back what it wrote, and a corrupt or foreign file as none', () => {
    expect(parseClusterLayout(JSON.stringify(layout))).toEqual(layout)
    expect(parseClusterLayout('{')).toBeUndefined()
    expect(parseClusterLayout(JSON.stringify({ clusterId: 'x', nodes: [] }))).toBeUndefined()
    expect(parseClusterLayout(JSON.stringify({ pid: 1, port: 9092 }))).toBeUndefined()
  })

  it('gives every node as the bootstrap list --brokers takes', () => {
    expect(clusterBootstrap(layout.nodes)).toBe('127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003')
  })
})

describe('planLayout', () => {
  it('gives every node distinct broker and controller ports', async () => {
    const plan = await planLayout('id', 3, 0)
    expect(plan.nodes.map((n) => n.nodeId)).toEqual([1, 2, 3])
    const ports = plan.nodes.flatMap((n) => [n.port, n.controllerPort])
    expect(new Set(ports).size).toBe(6)
  })

  it('takes P, P+1, P+2 for --port P, and refuses when one is taken', async () => {
    const first = await freeRun(3)
    const plan = await planLayout('id', 3, first)
    expect(plan.nodes.map((n) => n.port)).toEqual([first, first + 1, first + 2])
    const taken = await listen(first + 1)
    try {
      await expect(planLayout('id', 3, first)).rejects.toThrow(`ports ${first}-${first + 2}`)
    } finally {
      await new Promise((r) => taken.close(r))
    }
  })

  it('keeps the saved ports while they are free, so the bootstrap list stays the same', async () => {
    const fresh = await planLayout('id', 3, 0)
    expect(await planLayout('id', 3, undefined, fresh)).toEqual(fresh)
    const taken = await listen(fresh.nodes[2]!.controllerPort)
    try {
      const moved = await planLayout('id', 3, undefined, fresh)
      expect(moved.nodes.map((n) => n.controllerPort)).not.toContain(fresh.nodes[2]!.controllerPort)
    } finally {
      await new Promise((r) => taken.close(r))
    }
  })
})

describe('describeClusterStatus', () => {
  const dataDir = '/d/kafka-cluster'
  it('says nothing where no cluster was started', () => {
    expect(describeClusterStatus({ dataDir, nodes: [] })).toBeUndefined()
  })

  it('lists the live nodes and names the stopped ones', () => {
    const [a, b, c] = layout.nodes.map((n) => ({ nodeId: n.nodeId, port: n.port }))
    expect(
      describeClusterStatus({
        dataDir,
        nodes: [
          { ...a!, running: true, pid: 11 },
          { ...b!, running: true, pid: 12 },
          { ...c!, running: true, pid: 13 },
        ],
      }),
    ).toBe(
      'cluster running 127.0.0.1:40001,127.0.0.1:40002,127.0.0.1:40003 (3 of 3 nodes, pids 11 12 13, /d/kafka-cluster)',
    )
    expect(
      describeClusterStatus({
        dataDir,
        nodes: [
          { ...a!, running: true, pid: 11 },
          { ...b!, running: false },
          { ...c!, running: true, pid: 13 },
        ],
      }),
    ).toBe(
      'cluster degraded 127.0.0.1:40001,127.0.0.1:40003 (2 of 3 nodes, pids 11 13, node 2 stopped, /d/kafka-cluster)',
    )
    expect(describeClusterStatus({ dataDir, nodes: [{ ...a!, running: false }] })).toBe(
      'cluster stopped (/d/kafka-cluster)',
    )
  })
})

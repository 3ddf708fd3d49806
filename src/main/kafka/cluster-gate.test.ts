import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clusterGate, clusterMismatch } from './cluster-gate'

describe('clusterMismatch', () => {
  it('is null for the expected cluster', () => {
    expect(clusterMismatch('abc', 'abc', '127.0.0.1:9092')).toBeNull()
  })
  it('names the broker and both ids otherwise', () => {
    expect(clusterMismatch('abc', 'xyz', '127.0.0.1:9092')).toBe(
      'the broker at 127.0.0.1:9092 is Kafka cluster xyz, not cluster abc that this pipeline started with',
    )
    expect(clusterMismatch('abc', undefined, 'h:1')).toContain('a Kafka cluster without an id')
  })
})

/** Connects through the gate as kafkajs would: resolves 'connected', or the error the socket fails with. */
function connectThrough(factory: ReturnType<typeof clusterGate>, port: number): Promise<net.Socket | Error> {
  return new Promise((resolve) => {
    const socket = factory({
      host: '127.0.0.1',
      port,
      ssl: undefined as never,
      onConnect: () => resolve(socket),
    })
    socket.once('error', (err) => resolve(err))
  })
}

describe('clusterGate', () => {
  // Any listener will do: the gate asks `identify`, not the socket, which cluster it is.
  let server: net.Server
  let port = 0
  const sockets = new Set<net.Socket>()
  beforeAll(async () => {
    server = net.createServer((s) => {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as net.AddressInfo).port
  })
  afterAll(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((r) => server.close(r))
  })

  it('lets a connection through once the broker shows the expected cluster', async () => {
    let asked = 0
    const gate = clusterGate({ expected: () => 'ours', identify: async () => (asked++, 'ours') })
    const s = await connectThrough(gate, port)
    expect(s).toBeInstanceOf(net.Socket)
    expect(asked).toBe(1)
    // While a checked connection is open, the same listener is still there: no second check.
    const t = await connectThrough(gate, port)
    expect(asked).toBe(1)
    for (const x of [s, t]) (x as net.Socket).destroy()
  })

  it('checks again once every connection has closed (the broker may have been replaced)', async () => {
    let id = 'ours'
    const mismatches: string[] = []
    const gate = clusterGate({
      expected: () => 'ours',
      identify: async () => id,
      onMismatch: (m) => mismatches.push(m),
    })
    const s = (await connectThrough(gate, port)) as net.Socket
    await new Promise((r) => {
      s.once('close', r)
      s.destroy()
    })
    id = 'theirs'
    const refused = await connectThrough(gate, port)
    expect(refused).toBeInstanceOf(Error)
    expect((refused as Error).message).toContain('is Kafka cluster theirs, not cluster ours')
    expect(mismatches).toHaveLength(1)
  })

  it('lets everything through until the cluster is known', async () => {
    let asked = 0
    const gate = clusterGate({ expected: () => undefined, identify: async () => (asked++, 'x') })
    const s = await connectThrough(gate, port)
    expect(s).toBeInstanceOf(net.Socket)
    expect(asked).toBe(0)
    ;(s as net.Socket).destroy()
  })

  it('fails the connection in words when the broker cannot be asked', async () => {
    const gate = clusterGate({
      expected: () => 'ours',
      identify: async () => {
        throw new Error('timed out')
      },
    })
    const e = await connectThrough(gate, port)
    expect((e as Error).message).toBe(`cannot tell which Kafka cluster 127.0.0.1:${port} is: timed out`)
  })
})

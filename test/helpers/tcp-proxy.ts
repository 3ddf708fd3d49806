import { createServer, connect, type Server, type Socket } from 'node:net'

export interface TcpProxy {
  /** the port clients connect to, on 127.0.0.1; the same after restore() */
  readonly port: number
  /** connections accepted so far */
  accepted(): number
  /**
   * A network outage: every live connection is reset, both ways, and new ones are refused
   * (the listener is closed, so a connect gets ECONNREFUSED, as from a host that is down).
   */
  cut(): Promise<void>
  /**
   * Listens again on the same port; while another process holds it (any process may bind a port
   * we let go), tries again for up to `timeoutMs`.
   */
  restore(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

/** A TCP forwarder on 127.0.0.1 to `target`, whose link a test can cut and restore. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const live = new Set<Socket>()
  let accepted = 0
  let server: Server | null = null

  const pipe = (client: Socket): void => {
    accepted++
    const upstream = connect(target.port, target.host)
    for (const s of [client, upstream]) {
      live.add(s)
      // An error here is the other side going away; closing both ends is the whole answer.
      s.on('error', () => undefined)
      s.on('close', () => {
        live.delete(s)
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  }

  const listen = (port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const s = createServer(pipe)
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => resolve(s))
    })

  server = await listen(0)
  const port = (server.address() as { port: number }).port

  const stopListening = async (): Promise<void> => {
    const s = server
    server = null
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  const resetAll = (): void => {
    // A reset, not a FIN: the client sees its connection die mid-query, as when a link drops.
    for (const s of live) s.resetAndDestroy()
    live.clear()
  }

  return {
    port,
    accepted: () => accepted,
    async cut() {
      const closed = stopListening() // close() waits for live sockets, so reset them meanwhile
      resetAll()
      await closed
    },
    async restore(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      while (!server) {
        try {
          server = await listen(port)
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw err
          await new Promise((r) => setTimeout(r, 250))
        }
      }
    },
    async close() {
      const closed = stopListening()
      resetAll()
      await closed
    },
  }
}

// Keeps a Kafka client on the one cluster it was pinned to. Two Tickflow instances each run a
// broker; when one instance's broker died, the other's took its port, and the first instance's
// clients reconnected to it without a word: its producer wrote into the other's topic and its writer
// joined the other's consumer group. A cluster id is what tells brokers apart (KRaft gives every
// data dir its own), so every new connection is checked against it before the client may use it.
import net from 'node:net'
import tls from 'node:tls'
import type { ISocketFactory } from 'kafkajs'

/** Why a broker is not ours, in words; null when it is. */
export function clusterMismatch(
  expected: string,
  found: string | null | undefined,
  broker: string,
): string | null {
  if (found === expected) return null
  const what = found ? `Kafka cluster ${found}` : 'a Kafka cluster without an id'
  return `the broker at ${broker} is ${what}, not cluster ${expected} that this pipeline started with`
}

export interface ClusterGateOptions {
  /** the cluster to allow; undefined (not known yet) lets every connection through */
  expected(): string | undefined
  /** the cluster id of the broker at host:port, asked on a connection of its own */
  identify(host: string, port: number): Promise<string | undefined>
  onMismatch?(message: string): void
}

/**
 * A kafkajs socket factory that connects as usual but tells kafkajs "connected" only once the
 * broker at that address has shown the expected cluster id; otherwise the socket fails with the
 * reason, and kafkajs treats that as a connection error (retried, and surfaced if it persists).
 * While a checked connection to an address is open, the same process still listens there, so
 * further connections to it skip the check; once all have closed (the broker died), the next
 * one is checked again.
 */
export function clusterGate(o: ClusterGateOptions): ISocketFactory {
  const open = new Map<string, number>()
  const asking = new Map<string, Promise<string | undefined>>()
  const ask = (host: string, port: number, addr: string): Promise<string | undefined> => {
    let p = asking.get(addr)
    if (!p) {
      p = o.identify(host, port).finally(() => asking.delete(addr))
      asking.set(addr, p)
    }
    return p
  }

  return ({ host, port, ssl, onConnect }) => {
    const addr = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`
    let counted = false
    const admit = (checked: boolean): void => {
      // kafkajs may have given up on this socket meanwhile (its connection timeout).
      if (socket.destroyed || socket.writableEnded) return
      if (checked) {
        counted = true
        open.set(addr, (open.get(addr) ?? 0) + 1)
      }
      onConnect()
    }
    const check = (): void => {
      const expected = o.expected()
      if (expected === undefined) return admit(false)
      if ((open.get(addr) ?? 0) > 0) return admit(true)
      ask(host, port, addr).then(
        (found) => {
          const wrong = clusterMismatch(expected, found, addr)
          if (!wrong) return admit(true)
          o.onMismatch?.(wrong)
          socket.destroy(new Error(wrong))
        },
        (err: Error) =>
          socket.destroy(new Error(`cannot tell which Kafka cluster ${addr} is: ${err.message}`)),
      )
    }
    const socket: net.Socket = ssl
      ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, check)
      : net.connect({ host, port }, check)
    socket.setKeepAlive(true, 60_000) // as kafkajs's own factory does
    socket.once('close', () => {
      if (counted) open.set(addr, (open.get(addr) ?? 1) - 1)
    })
    return socket
  }
}

import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs'
import { z } from 'zod'
import { appLog, appLogLevel } from '../log/logger'
import { kafkaLevelFor, kafkaLevelName, writeKafkaEntry, type KafkaLevelName } from '../log/kafkajs'
import { redactText, redactValue } from '../log/redact'
import { clusterGate } from './cluster-gate'
import { quietKafkajsNegativeTimeouts } from './timeout-warning'

export interface KafkaConnection {
  brokers: string[]
  clientId?: string
  ssl?: boolean
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  /**
   * The cluster this connection must reach: each new connection of a client made from it is
   * checked first (cluster-gate.ts), so a broker of another cluster on the same address is refused.
   */
  clusterId?: string
}

export type KafkaLogLevel = KafkaLevelName

export interface KafkaLogEntry {
  level: KafkaLogLevel
  namespace: string
  message: string
  /** kafkajs's structured fields (broker, clientId, error, …), with secrets redacted. */
  extra: Record<string, unknown>
}

export interface CreateKafkaOptions {
  /** Receives client logs; without it the client logs nothing (errors still surface as rejections). */
  onLog?: (entry: KafkaLogEntry) => void
  /** Lowest level passed to onLog; default 'warn'. */
  logLevel?: KafkaLogLevel
  /** false keeps this client out of the app's log: a probe whose failures are expected (a readiness poll) */
  appLog?: boolean
  /** default kafkajs's 1 s; 5 s when the connection names a clusterId (the check takes a moment) */
  connectionTimeoutMs?: number
  retry?: KafkaConfig['retry']
  /**
   * The cluster to pin to when it is known only later (a pipeline learns it as it starts): until
   * this returns an id, connections are not checked. `conn.clusterId`, when set, comes first.
   */
  expectCluster?: () => string | undefined
  /** a connection was refused because the broker belongs to another cluster (see clusterId) */
  onClusterMismatch?: (message: string) => void
}

/** "host:port", where host is a name, an IPv4 address or a bracketed IPv6 address. */
export function isBrokerAddress(value: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(value)
  if (!m?.[3]) return false
  const port = Number(m[3])
  return port >= 1 && port <= 65535
}

export const brokerAddressSchema = z
  .string()
  .trim()
  .refine(isBrokerAddress, { message: 'expected host:port, e.g. 127.0.0.1:9092' })

export const kafkaConnectionSchema = z.strictObject({
  brokers: z.array(brokerAddressSchema).min(1, { message: 'at least one broker is needed' }),
  clientId: z.string().trim().min(1).max(255).optional(),
  ssl: z.boolean().optional(),
  sasl: z
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string().min(1),
      password: z.string().min(1),
    })
    .optional(),
}) satisfies z.ZodType<KafkaConnection>

/** Splits a --brokers / settings value such as "a:9092, b:9092" into addresses. */
export function parseBrokerList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

/** A log-safe description of a connection. The password never appears. */
export function describeConnection(conn: KafkaConnection): string {
  const parts = [conn.brokers.join(',')]
  if (conn.ssl) parts.push('ssl')
  if (conn.sasl) parts.push(`sasl ${conn.sasl.mechanism} as ${conn.sasl.username}`)
  return parts.join(', ')
}

// Producers in Tickflow choose their partitioner explicitly; this one-time notice is noise.
const IGNORED = ['KafkaJS v2.0.0 switched default partitioner']

export function createKafka(conn: KafkaConnection, opts: CreateKafkaOptions = {}): Kafka {
  quietKafkajsNegativeTimeouts()
  const secrets = conn.sasl ? [conn.sasl.password] : []
  const onLog = opts.onLog
  const clientId = conn.clientId ?? 'tickflow'
  // Two readers: the app's log at its level (off until a face opens it), and onLog at its own.
  const appLevel = kafkaLevelFor(opts.appLog === false ? 'silent' : appLogLevel())
  const ownLevel = onLog ? kafkaLevelFor(opts.logLevel ?? 'warn') : logLevel.NOTHING
  const config: KafkaConfig = {
    brokers: conn.brokers,
    clientId,
    ssl: conn.ssl ?? false,
    logLevel: Math.max(appLevel, ownLevel),
    logCreator: () => (entry: LogEntry) => {
      const { message, timestamp: _ts, ...extra } = entry.log
      if (IGNORED.some((s) => String(message).includes(s))) return
      if (entry.level <= appLevel) writeKafkaEntry(appLog('kafkajs'), entry, { clientId })
      if (!onLog || entry.level > ownLevel) return
      onLog({
        level: kafkaLevelName(entry.level),
        namespace: entry.namespace,
        message: redactText(String(message), secrets),
        extra: redactValue(extra, secrets) as Record<string, unknown>,
      })
    },
  }
  if (conn.sasl) config.sasl = { ...conn.sasl } as SASLOptions
  if (opts.connectionTimeoutMs !== undefined) config.connectionTimeout = opts.connectionTimeoutMs
  if (opts.retry) config.retry = opts.retry
  const pinned = conn.clusterId
  const expected = pinned ? (): string => pinned : opts.expectCluster
  if (expected) {
    config.connectionTimeout ??= 5_000
    config.socketFactory = clusterGate({
      expected,
      identify: (host, port) => identifyCluster({ ...conn, brokers: [joinHostPort(host, port)] }),
      onMismatch: opts.onClusterMismatch,
    })
  }
  return new Kafka(config)
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/** The cluster id of whatever answers at `conn.brokers`, on a client of its own (not pinned). */
export async function identifyCluster(conn: KafkaConnection, timeoutMs = 3_000): Promise<string | undefined> {
  const admin = createKafka(
    { ...conn, clusterId: undefined, clientId: 'tickflow-cluster-check' },
    { connectionTimeoutMs: timeoutMs, retry: { retries: 0 }, appLog: false },
  ).admin()
  try {
    await admin.connect()
    return (await admin.describeCluster()).clusterId || undefined
  } finally {
    // The id (or the connect error) is the answer; a failed disconnect loses nothing the caller needs.
    await admin.disconnect().catch(() => undefined)
  }
}

import { randomBytes } from 'node:crypto'
import { isManagedPassword, MANAGED_USER } from './credentials'

export const DEFAULT_HEAP_MB = 384

export interface BrokerPropertiesVars {
  brokerPort: number
  controllerPort: number
  logDirs: string
  /** the managed user's password (credentials.ts); the file holding it is mode 600 */
  password: string
  /** Extra `key=value` lines after the template; a key set twice takes the last value (Java Properties). */
  overrides?: Record<string, string>
}

/**
 * Fills {{NAME}} placeholders in server.properties.template. Every placeholder in the template must
 * have a value and every value must be used, so template and code cannot drift apart silently.
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>()
  const out = template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`server.properties template: no value for {{${name}}}`)
    used.add(name)
    return value
  })
  const unused = Object.keys(values).filter((k) => !used.has(k))
  if (unused.length > 0)
    throw new Error(`server.properties template: {{${unused.join('}}, {{')}}} not in template`)
  return out
}

// Java .properties treats backslashes as escapes; only Windows paths would contain them.
function propertyPath(path: string): string {
  return path.replace(/\\/g, '/')
}

export function renderServerProperties(template: string, vars: BrokerPropertiesVars): string {
  for (const port of [vars.brokerPort, vars.controllerPort]) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid broker port ${port}`)
  }
  if (vars.brokerPort === vars.controllerPort) throw new Error('broker and controller ports must differ')
  // It goes inside the JAAS lines' quotes.
  if (!isManagedPassword(vars.password)) throw new Error('the broker password must be base64url')
  const text = renderTemplate(template, {
    BROKER_PORT: String(vars.brokerPort),
    CONTROLLER_PORT: String(vars.controllerPort),
    LOG_DIRS: propertyPath(vars.logDirs),
    SASL_USER: MANAGED_USER,
    SASL_PASSWORD: vars.password,
  })
  const extra = overrideLines(vars.overrides ?? {})
  return extra && !text.endsWith('\n') ? `${text}\n${extra}` : text + extra
}

const PROPERTY_KEY = /^[a-z][a-z0-9._-]*$/

function overrideLines(overrides: Record<string, string>): string {
  const entries = Object.entries(overrides)
  if (entries.length === 0) return ''
  const lines = entries.map(([key, value]) => {
    // A newline or an escape would smuggle in another setting than the one named.
    if (!PROPERTY_KEY.test(key)) throw new Error(`invalid broker property name "${key}"`)
    if (/[\r\n\\]/.test(value)) throw new Error(`broker property ${key}: value must be one plain line`)
    return `${key}=${value}`
  })
  return `# Overrides passed to the launcher\n${lines.join('\n')}\n`
}

export interface ClusterNode {
  nodeId: number
  controllerPort: number
}

/** `controller.quorum.voters` for nodes on loopback: `1@127.0.0.1:p1,2@127.0.0.1:p2,…` */
export function quorumVoters(nodes: readonly ClusterNode[]): string {
  const ids = new Set(nodes.map((n) => n.nodeId))
  if (nodes.length === 0 || ids.size !== nodes.length) throw new Error('voters need distinct node ids')
  for (const n of nodes) {
    if (!Number.isInteger(n.nodeId) || n.nodeId < 1) throw new Error(`invalid node id ${n.nodeId}`)
  }
  return nodes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',')
}

/**
 * The settings that make the single-node template one node of a local cluster of `nodes`:
 * its id, every node as a static voter (so no node needs --standalone or a bootstrap controller),
 * and internal and new topics replicated min(3, n) times. With three copies, two in sync are
 * required for an acknowledged write, so one node can die without losing or blocking a write.
 */
export function clusterNodeOverrides(nodeId: number, nodes: readonly ClusterNode[]): Record<string, string> {
  if (!nodes.some((n) => n.nodeId === nodeId)) throw new Error(`node ${nodeId} is not one of the voters`)
  const replicas = String(Math.min(3, nodes.length))
  const minIsr = nodes.length >= 3 ? '2' : '1'
  return {
    'node.id': String(nodeId),
    'controller.quorum.voters': quorumVoters(nodes),
    'offsets.topic.replication.factor': replicas,
    'transaction.state.log.replication.factor': replicas,
    'transaction.state.log.min.isr': minIsr,
    'share.coordinator.state.topic.replication.factor': replicas,
    'share.coordinator.state.topic.min.isr': minIsr,
    'default.replication.factor': replicas,
    'min.insync.replicas': minIsr,
  }
}

/**
 * A KRaft cluster id as `kafka-storage random-uuid` makes it: 16 random bytes, base64url without
 * padding. Kafka's Uuid.randomUuid also rejects ids starting with '-' (they look like CLI flags).
 * Made here rather than by StorageTool to save one JVM start (~1 s) on first boot.
 */
export function newClusterId(random: (n: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url')
    if (!id.startsWith('-') && !/^A+$/.test(id)) return id
  }
}

/** Reads cluster.id from a meta.properties file; undefined when the file does not carry one. */
export function parseMetaProperties(text: string): { clusterId?: string; nodeId?: number } {
  const out: { clusterId?: string; nodeId?: number } = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const key = line.slice(0, eq).trim()
    const value = line.slice(eq + 1).trim()
    if (key === 'cluster.id') out.clusterId = value
    if (key === 'node.id') out.nodeId = Number(value)
  }
  return out
}

export interface JvmArgsInput {
  heapMb: number
  logsDir: string
  log4jConfig: string
  classpath: string
  mainClass: string
  args: string[]
}

export function jvmArgs(input: JvmArgsInput): string[] {
  if (!Number.isInteger(input.heapMb) || input.heapMb < 128)
    throw new Error(`heap too small: ${input.heapMb} MB`)
  return [
    `-Xmx${input.heapMb}m`,
    '-Xms64m',
    // A broker that ran out of heap is broken; exit so the caller sees it instead of a zombie service.
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    `-Dkafka.logs.dir=${input.logsDir}`,
    `-Dlog4j2.configurationFile=${input.log4jConfig}`,
    '-cp',
    input.classpath,
    input.mainClass,
    ...input.args,
  ]
}

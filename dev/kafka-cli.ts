// npm run kafka -- start|stop|status|resolve|run [--data-dir DIR] [--port N] [--heap-mb N] [--nodes N]
// Manages the local broker without the app; `start --nodes 3` starts a local three-node cluster
// instead (local-cluster.ts), and `status` and `stop` cover both. `resolve [--dest DIR]` only
// fetches the jars (for CI caches, or into DIR for packaging); `lock` re-pins them from pom.xml;
// `run` keeps the broker in the foreground until Ctrl-C.
import { join, resolve as resolvePath } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { copyBrokerJars, resolveBrokerClasspath } from '../src/main/kafka/jars/classpath'
import { LOCK_FILE, mavenRepository } from '../src/main/kafka/jars/jar-lock'
import { writeJarLock } from '../src/main/kafka/jars/jar-lock-write'
import {
  brokerStatus,
  startDetachedBroker,
  startLocalBroker,
  stopDetachedBroker,
} from '../src/main/kafka/broker/local-broker'
import { MANAGED_MECHANISM, MANAGED_USER, passwordFileOf } from '../src/main/kafka/broker/credentials'
import {
  clusterDirs,
  clusterStatus,
  describeClusterStatus,
  MAX_NODES,
  startDetachedCluster,
  stopDetachedCluster,
} from '../src/main/kafka/broker/local-cluster'
import { defaultDataDir } from '../src/main/base/data-dirs'
import { kafkaResourcesDir } from '../src/main/kafka/broker/paths'

const USAGE =
  'usage: npm run kafka -- start|stop|status|resolve|lock|run [--data-dir DIR] [--port N] [--heap-mb N] [--nodes N] [--dest DIR]'

export interface CliArgs {
  command: 'start' | 'stop' | 'status' | 'resolve' | 'lock' | 'run'
  dataDir: string
  port?: number
  heapMb?: number
  /** start: nodes of a local cluster; undefined or 1 is the single broker */
  nodes?: number
  /** resolve: also copy the verified jars into this directory */
  dest?: string
}

function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer from ${min} to ${max}`)
  return n
}

export function parseCliArgs(argv: string[], env: Record<string, string | undefined> = process.env): CliArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'heap-mb': { type: 'string' },
      nodes: { type: 'string' },
      dest: { type: 'string' },
    },
  })
  const command = positionals[0]
  if (
    positionals.length !== 1 ||
    !['start', 'stop', 'status', 'resolve', 'lock', 'run'].includes(command ?? '')
  ) {
    throw new Error(USAGE)
  }
  if (values.dest !== undefined && command !== 'resolve') throw new Error('--dest goes with resolve only')
  return {
    command: command as CliArgs['command'],
    dataDir: values['data-dir'] ? resolvePath(values['data-dir']) : defaultDataDir(env),
    port: intOption('port', values.port, 0, 65535),
    heapMb: intOption('heap-mb', values['heap-mb'], 128, 65536),
    nodes: intOption('nodes', values.nodes, 1, MAX_NODES),
    dest: values.dest === undefined ? undefined : resolvePath(values.dest),
  }
}

const progress = (msg: string): void => console.error(msg)

/** How another program gets in: the broker takes its one user only (issue 15). Never the password itself. */
export function connectHint(passwordFile: string): string {
  return (
    `clients log in as ${MANAGED_USER} with ${MANAGED_MECHANISM}: KAFKA_SASL_MECHANISM=${MANAGED_MECHANISM} ` +
    `KAFKA_SASL_USERNAME=${MANAGED_USER} KAFKA_SASL_PASSWORD="$(cat ${passwordFile})"`
  )
}

async function main(argv: string[]): Promise<void> {
  const args = parseCliArgs(argv)
  const launch = { dataDir: args.dataDir, port: args.port, heapMb: args.heapMb, onProgress: progress }
  switch (args.command) {
    case 'resolve': {
      const cp = await resolveBrokerClasspath({ onProgress: progress })
      if (args.dest) await copyBrokerJars(cp, args.dest)
      console.log(
        `${cp.source}: ${cp.jars.length} jars in ${cp.dir}${args.dest ? `, copied to ${args.dest}` : ''}`,
      )
      return
    }
    case 'lock': {
      const resourcesDir = kafkaResourcesDir()
      const lock = await writeJarLock({ resourcesDir, repository: mavenRepository(), onProgress: progress })
      console.log(`locked ${lock.jars.length} jars in ${join(resourcesDir, LOCK_FILE)}`)
      return
    }
    case 'start': {
      if ((args.nodes ?? 1) > 1) {
        const c = await startDetachedCluster({ ...launch, nodes: args.nodes! })
        const pids = c.nodes.map((n) => n.pid).join(' ')
        console.error(`Kafka cluster ${c.started ? 'started' : 'already running'} (pids ${pids})`)
        console.error(connectHint(clusterDirs(args.dataDir).password))
        console.log(c.bootstrap)
        return
      }
      const b = await startDetachedBroker(launch)
      console.error(
        b.started ? `Kafka broker started (pid ${b.pid})` : `Kafka broker already running (pid ${b.pid})`,
      )
      console.error(connectHint(passwordFileOf(args.dataDir)))
      console.log(b.bootstrap)
      return
    }
    case 'status': {
      const s = await brokerStatus(args.dataDir)
      console.log(
        s.running ? `running ${s.bootstrap} (pid ${s.pid}, ${s.dataDir})` : `stopped (${s.dataDir})`,
      )
      const line = describeClusterStatus(await clusterStatus(args.dataDir))
      if (line) console.log(line)
      return
    }
    case 'stop': {
      const r = await stopDetachedBroker(args.dataDir)
      console.log(r.wasRunning ? `stopped (pid ${r.pid})` : 'not running')
      if ((await clusterStatus(args.dataDir)).nodes.length > 0) {
        const { stopped } = await stopDetachedCluster(args.dataDir)
        const pids = stopped.map((n) => n.pid).join(' ')
        console.log(stopped.length > 0 ? `cluster stopped (pids ${pids})` : 'cluster not running')
      }
      return
    }
    case 'run': {
      if ((args.nodes ?? 1) > 1)
        throw new Error('run starts one broker; start a cluster with start --nodes N')
      const b = await startLocalBroker({ ...launch, onLog: (l) => console.error(l) })
      console.log(`running ${b.bootstrap} (pid ${b.pid})`)
      console.error(connectHint(passwordFileOf(args.dataDir)))
      await new Promise<void>((done) => {
        const quit = (): void => void b.stop().then(done)
        process.once('SIGINT', quit)
        process.once('SIGTERM', quit)
      })
      return
    }
  }
}

// Only when run as a script, so tests can import parseCliArgs.
if (process.argv[1] && import.meta.url === pathToFileURL(resolvePath(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (err: unknown) => {
      const msg = err instanceof Error ? err.message : String(err)
      console.error(msg.split('\n')[0])
      process.exit(1)
    },
  )
}

// npm run kafka -- start|stop|status|resolve|run [--data-dir DIR] [--port N] [--heap-mb N]
// Manages the local broker without the app. `resolve` only fetches the jars (for CI caches);
// `run` keeps the broker in the foreground until Ctrl-C.
import { resolve as resolvePath } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { resolveBrokerClasspath } from './classpath'
import { brokerStatus, startDetachedBroker, startLocalBroker, stopDetachedBroker } from './local-broker'
import { defaultDataDir } from './paths'

const USAGE =
  'usage: npm run kafka -- start|stop|status|resolve|run [--data-dir DIR] [--port N] [--heap-mb N]'

export interface CliArgs {
  command: 'start' | 'stop' | 'status' | 'resolve' | 'run'
  dataDir: string
  port?: number
  heapMb?: number
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
    },
  })
  const command = positionals[0]
  if (positionals.length !== 1 || !['start', 'stop', 'status', 'resolve', 'run'].includes(command ?? '')) {
    throw new Error(USAGE)
  }
  return {
    command: command as CliArgs['command'],
    dataDir: values['data-dir'] ? resolvePath(values['data-dir']) : defaultDataDir(env),
    port: intOption('port', values.port, 0, 65535),
    heapMb: intOption('heap-mb', values['heap-mb'], 128, 65536),
  }
}

const progress = (msg: string): void => console.error(msg)

async function main(argv: string[]): Promise<void> {
  const args = parseCliArgs(argv)
  const launch = { dataDir: args.dataDir, port: args.port, heapMb: args.heapMb, onProgress: progress }
  switch (args.command) {
    case 'resolve': {
      const cp = await resolveBrokerClasspath({ onProgress: progress })
      console.log(`${cp.resolved ? 'resolved' : 'cached'}: ${cp.jars.length} jars in ${cp.dir}`)
      return
    }
    case 'start': {
      const b = await startDetachedBroker(launch)
      console.error(
        b.started ? `Kafka broker started (pid ${b.pid})` : `Kafka broker already running (pid ${b.pid})`,
      )
      console.log(b.bootstrap)
      return
    }
    case 'status': {
      const s = await brokerStatus(args.dataDir)
      console.log(
        s.running ? `running ${s.bootstrap} (pid ${s.pid}, ${s.dataDir})` : `stopped (${s.dataDir})`,
      )
      return
    }
    case 'stop': {
      const r = await stopDetachedBroker(args.dataDir)
      console.log(r.wasRunning ? `stopped (pid ${r.pid})` : 'not running')
      return
    }
    case 'run': {
      const b = await startLocalBroker({ ...launch, onLog: (l) => console.error(l) })
      console.log(`running ${b.bootstrap} (pid ${b.pid})`)
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

import { parseArgs } from 'node:util'
import { startSimulator } from '../src/main/pipeline/sources/simulator'

/** Runs the Finnhub simulator by itself: `tsx dev/simulator-cli.ts --port 8765 --rate 200` */

const USAGE = `Usage: simulator-cli [--port 8765] [--host 127.0.0.1] [--rate 200] [--frame 1-8] [--seed 1]
                     [--token SECRET] [--ping 15000] [--drop MS]`

function num(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got ${value}`)
  return n
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      rate: { type: 'string' },
      frame: { type: 'string' },
      seed: { type: 'string' },
      token: { type: 'string' },
      ping: { type: 'string' },
      drop: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return
  }
  const frame = (values.frame ?? '1-8').split('-').map(Number)
  const [min = NaN, max = min] = frame
  const sim = await startSimulator({
    port: num(values.port, 'port', 8765),
    host: values.host ?? '127.0.0.1',
    tradesPerSecond: num(values.rate, 'rate', 200),
    tradesPerFrame: [min, max],
    seed: num(values.seed, 'seed', 1),
    token: values.token,
    pingIntervalMs: num(values.ping, 'ping', 15_000),
    dropEveryMs: values.drop === undefined ? undefined : num(values.drop, 'drop', 0),
  })
  console.log(`Finnhub simulator listening on ${sim.url}${values.token ? ' (token required)' : ''}`)
  let last = sim.stats()
  const report = setInterval(() => {
    const s = sim.stats()
    const rate = (s.sentTrades - last.sentTrades) / 5
    console.log(
      `${s.connections} connection(s), ${rate.toFixed(0)} trades/s, ${s.sentTrades} sent, ${s.skippedTrades} skipped`,
    )
    last = s
  }, 5_000)
  const shutdown = (): void => {
    clearInterval(report)
    void sim.stop().then(() => process.exit(0))
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  console.error(USAGE)
  process.exit(1)
})

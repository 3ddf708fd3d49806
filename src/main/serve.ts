import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { brokerWords } from './api/broker-words'
import { createCore } from './api/handlers'
import type { StartView } from './base/start-gate'
import { EventHub } from './api/events'
import type { Settings } from './config'
import { runFace } from './face'
import { appLog } from './log/logger'
import { maskSecrets } from './log/redact'
import { dashboardToken, type DashboardToken } from './server/auth'
import { startDashboardServer, type DashboardServer } from './server/http-server'
import { isLoopback } from './server/host-check'
import { describeAccess, splitServeFlags, type ServeFlags } from './server/serve-flags'
import { startServices } from './services'
import type { SettingsStore } from './settings/store'

const USAGE = `Usage: npm run serve -- [options]
Serves the dashboard to a browser. The pipeline starts when you press Start, or with --start.
  --port N          port to listen on (default: a free one)
  --host ADDRESS    interface to bind (default 127.0.0.1; anything else exposes the dashboard
                    to your network, still behind the printed token, and needs TLS)
  --tls-cert FILE   PEM certificate (chain) to serve HTTPS with; goes with --tls-key
  --tls-key FILE    its PEM private key
  --new-token       replace the kept access token, so that no browser that had it gets in
  --start           start the pipeline at once (a service under systemd, say); without it, a run
                    going at the last stop resumes only when "Start collecting when Tickflow
                    opens" is on
  …and every option of npm run pipeline -- --help (source, symbols, brokers, database, …)`

const RENDERER_DIR = fileURLToPath(new URL('../../out/renderer/', import.meta.url))

async function run(settings: Settings, store: SettingsStore, serve: ServeFlags): Promise<void> {
  // Signals from the start: an interrupt while the broker and database come up still stops them.
  let why: string | null = null
  const signalled = new Promise<string>((resolve) => {
    const on = (name: string) => (): void => {
      if (why) process.exit(130) // a second signal while draining means "now"
      why = name
      console.error(`${name}: closing the dashboard and draining what is in flight (again to quit now)…`)
      resolve(name)
    }
    process.on('SIGINT', on('interrupted'))
    process.on('SIGTERM', on('terminated'))
  })

  // Bad TLS files fail before anything starts.
  const tls = serve.tls && {
    cert: await readPem(serve.tls.certFile, '--tls-cert'),
    key: await readPem(serve.tls.keyFile, '--tls-key'),
  }
  const services = await startServices(settings, { onProgress: (m) => console.error(`… ${maskSecrets(m)}`) })
  const core = createCore(services, new EventHub(), { store })
  // The broker comes up behind the served page; a terminal user hears of its failure here too
  // (a taken --kafka-port fails before the database is ready).
  const brokerFailed = (b: StartView): void => {
    if (b.state === 'failed')
      console.error(
        `tickflow: ${brokerWords(b)}; the dashboard shows what is stored, and Start tries the broker again`,
      )
  }
  brokerFailed(services.broker.state())
  services.broker.onChange(brokerFailed)
  if (why) return core.shutdown()
  void core.startOnOpen({ always: serve.start })
  let access: DashboardToken
  let server: DashboardServer
  try {
    access = await dashboardToken(settings.dataDir, { rotate: serve.newToken })
    server = await startDashboardServer({
      core,
      rendererDir: RENDERER_DIR,
      host: serve.host,
      port: serve.port,
      token: access.token,
      hostName: access.hostName,
      ...(tls ? { tls } : {}),
    })
  } catch (err) {
    // The start's error is what the user sees; a failed shutdown on top of it goes to the log.
    await core
      .shutdown()
      .catch((stopErr: unknown) =>
        appLog('face').debug(
          { err: stopErr, startError: (err as Error).message },
          'shutdown after a failed server start failed',
        ),
      )
    throw err
  }
  console.log(`Tickflow is serving the dashboard at ${server.url}`)
  console.log(describeAccess(serve, access, server.addressUrl))
  appLog('face').info({ url: server.url }, 'serving the dashboard') // the token is masked in the log
  if (!isLoopback(serve.host))
    console.error(`warning: listening on ${serve.host}; anyone who can reach it and has the token can use it`)

  await signalled
  await server.close()
  await core.shutdown()
}

async function readPem(file: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(file)
  } catch (err) {
    throw new Error(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
      cause: err,
    })
  }
}

async function main(argv: string[]): Promise<number> {
  let serve: ServeFlags
  try {
    serve = splitServeFlags(argv)
  } catch (err) {
    console.error(`tickflow: ${(err as Error).message}`)
    return 2
  }
  return runFace({
    argv: serve.rest,
    usage: USAGE,
    logName: 'serve',
    preflight: () =>
      existsSync(`${RENDERER_DIR}index.html`)
        ? null
        : `${RENDERER_DIR}index.html is missing: run npm run build first`,
    run: (settings, store) => run(settings, store, serve),
  })
}

// Exit explicitly: a stray timer in a client library must not keep a finished run alive.
main(process.argv.slice(2)).then((code) => process.exit(code))

import { spawn, type ChildProcess } from 'node:child_process'
import { childEnv } from '../base/child-env'

/**
 * Node cannot set PR_SET_PDEATHSIG on a child, and the services run in their own process group
 * (so that a terminal's Ctrl-C reaches only Node, which stops them after the pipeline's drain).
 * So nothing would stop them when Node is SIGKILLed or crashes natively: 'exit' hooks do not run
 * then. This detached shell polls both pids once a second; when the parent is gone it sends the
 * service its stop signal, and the kill signal after `graceS`. It exits as soon as the service is
 * gone, so stopping the service normally also ends its watchdog.
 */
const SCRIPT = `p=$1; c=$2; stop=$3; kill=$4; grace=$5
while kill -0 "$p" 2>/dev/null && kill -0 "$c" 2>/dev/null; do sleep 1; done
if kill -0 "$c" 2>/dev/null; then
  kill -"$stop" "$c"; i=0
  while [ $i -lt "$grace" ] && kill -0 "$c" 2>/dev/null; do sleep 1; i=$((i+1)); done
  kill -"$kill" "$c" 2>/dev/null
fi`

export interface WatchdogOptions {
  /** the process whose death stops the service; default this one */
  parentPid?: number
  servicePid: number
  /** the service's orderly shutdown: TERM for the JVM, INT (fast shutdown) for PostgreSQL */
  stopSignal: 'TERM' | 'INT'
  /** after graceS: KILL, or QUIT (PostgreSQL's immediate shutdown, which also ends its backends) */
  killSignal: 'KILL' | 'QUIT'
  graceS?: number
  /** shown by ps, e.g. tickflow-kafka-watchdog */
  name: string
}

export interface Watchdog {
  /** Ends the watchdog without touching the service (it stopped normally). */
  dismiss(): void
}

export function startWatchdog(o: WatchdogOptions): Watchdog {
  const args = [
    String(o.parentPid ?? process.pid),
    String(o.servicePid),
    o.stopSignal,
    o.killSignal,
    String(o.graceS ?? 30),
  ]
  const dog: ChildProcess = spawn('sh', ['-c', SCRIPT, o.name, ...args], {
    detached: true,
    env: childEnv(),
    stdio: 'ignore',
  })
  dog.on('error', () => undefined) // no sh: nothing to watch with, and nothing to crash over
  dog.unref()
  return {
    dismiss() {
      if (dog.pid === undefined || dog.exitCode !== null || dog.signalCode !== null) return
      try {
        process.kill(dog.pid, 'SIGTERM')
      } catch {
        // It noticed the service's exit first and is gone: nothing is left to dismiss.
      }
    },
  }
}

import { execFile } from 'node:child_process'
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { z } from 'zod'

/** What a detached broker leaves in <dataDir>/kafka/broker.json so that later CLI calls can find it. */
export const brokerStateSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65535),
  controllerPort: z.number().int().min(1).max(65535),
  bootstrap: z.string().min(1),
  propertiesPath: z.string().min(1),
  startedAt: z.string(),
})

export type BrokerState = z.infer<typeof brokerStateSchema>

/** Parses a state file; a corrupt or foreign file reads as "no state" rather than an error. */
export function parseBrokerState(text: string): BrokerState | undefined {
  try {
    const result = brokerStateSchema.safeParse(JSON.parse(text))
    return result.success ? result.data : undefined
  } catch {
    return undefined
  }
}

export async function readBrokerState(path: string): Promise<BrokerState | undefined> {
  try {
    return parseBrokerState(await readFile(path, 'utf8'))
  } catch {
    return undefined
  }
}

export async function writeBrokerState(path: string, state: BrokerState): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n')
  await rename(tmp, path)
}

export async function removeBrokerState(path: string): Promise<void> {
  await rm(path, { force: true })
}

/**
 * True when a command line is our broker for this data dir. Guards against pid reuse: after a reboot
 * the recorded pid may belong to any process, even another Kafka.
 */
export function isOurBrokerCommand(cmdline: string, propertiesPath: string): boolean {
  return cmdline.includes('kafka.Kafka') && cmdline.includes(propertiesPath)
}

/** Reads /proc/<pid>/stat's state letter; 'Z' marks an exited child not yet reaped. */
export function parseProcState(stat: string): string | undefined {
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const close = stat.lastIndexOf(')')
  return close < 0 ? undefined : stat.slice(close + 2, close + 3) || undefined
}

export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  try {
    return parseProcState(await readFile(`/proc/${pid}/stat`, 'utf8')) !== 'Z'
  } catch {
    return true // no /proc (macOS): kill(0) is all we have
  }
}

export async function processCommandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ')
  } catch {
    return new Promise((resolve) => {
      execFile('ps', ['-o', 'args=', '-p', String(pid)], (err, stdout) =>
        resolve(err ? undefined : stdout.trim() || undefined),
      )
    })
  }
}

/**
 * Serialises broker starts on one data dir. Kafka's own .lock is taken only once the broker part
 * starts, after the KRaft controller has already opened the shared metadata log, so two JVMs on one
 * data dir can damage it before the second one notices. Held from the status check until the new
 * broker's state file is written; a lock left by a dead process is taken over.
 */
export async function acquireStartLock(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, 'wx')
      await fh.writeFile(String(process.pid))
      await fh.close()
      return () => rm(path, { force: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim())
      if (holder > 0 && (await isProcessAlive(holder))) {
        const who = holder === process.pid ? 'this process' : `another process (pid ${holder})`
        throw new Error(`${who} is already starting a Kafka broker here: ${path}`, { cause: err })
      }
      await rm(path, { force: true })
    }
  }
}

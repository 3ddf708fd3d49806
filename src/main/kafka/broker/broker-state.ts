import { readFile, rm } from 'node:fs/promises'
import { z } from 'zod'
import { writeFileAtomic } from '../../base/atomic-file'
import { acquirePidLock } from '../../supervise/pid-lock'

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
  // 0o644 as before: it holds a pid and a port, no secret
  await writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n', { mode: 0o644 })
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

/**
 * Serialises broker starts on one data dir. Kafka's own .lock is taken only once the broker part
 * starts, after the KRaft controller has already opened the shared metadata log, so two JVMs on one
 * data dir can damage it before the second one notices. Held from the status check until the new
 * broker's state file is written; a lock left by a killed run is taken over (supervise/pid-lock.ts).
 */
export async function acquireStartLock(path: string): Promise<() => Promise<void>> {
  return acquirePidLock(path, 'is already starting a Kafka broker here')
}

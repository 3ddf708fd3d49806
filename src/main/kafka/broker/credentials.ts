// The managed broker's one user (issue 15, L5): every client of it authenticates with SCRAM-SHA-256
// as "tickflow", with a random password kept at mode 600 beside the broker's data, as embedded
// PostgreSQL keeps its own. The controller listener takes the same password over SASL/PLAIN: SCRAM
// credentials live in the metadata the controllers serve, so they cannot guard the controllers.
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { writeFileAtomic } from '../../base/atomic-file'
import type { KafkaConnection } from '../client'

export const MANAGED_USER = 'tickflow'
export const MANAGED_MECHANISM = 'scram-sha-256'
/** Kafka's name of MANAGED_MECHANISM (server.properties, StorageTool, the SCRAM record). */
export const MANAGED_KAFKA_MECHANISM = 'SCRAM-SHA-256'

export type ManagedSasl = NonNullable<KafkaConnection['sasl']>

/** <dataDir>/kafka.password, beside <dataDir>/kafka, as postgres.password is beside postgres/. */
export function passwordFileOf(dataDir: string): string {
  return join(resolve(dataDir), 'kafka.password')
}

// base64url: nothing that needs quoting in a JAAS line, a properties file or an argfile.
const PASSWORD = /^[A-Za-z0-9_-]{16,}$/

export function isManagedPassword(value: string): boolean {
  return PASSWORD.test(value)
}

/**
 * The password in `file`, made on first use. The file is (re)set to mode 600 each time: a copy of
 * the data dir, or an older Tickflow, may have left it readable.
 */
export async function ensurePassword(file: string): Promise<string> {
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (existing !== undefined) {
    const password = existing.trim()
    if (!isManagedPassword(password))
      throw new Error(`${file} does not hold a Kafka password Tickflow made; move it away to make a new one`)
    await chmod(file, 0o600)
    return password
  }
  await mkdir(dirname(file), { recursive: true })
  const password = randomBytes(18).toString('base64url')
  await writeFileAtomic(file, password + '\n', { mode: 0o600 })
  return password
}

/** What a kafkajs client of the managed broker carries. */
export function managedSasl(password: string): ManagedSasl {
  return { mechanism: MANAGED_MECHANISM, username: MANAGED_USER, password }
}

/** The credentials of the managed broker of `dataDir`, for a client that did not start it. */
export async function readManagedSasl(dataDir: string): Promise<ManagedSasl> {
  const file = passwordFileOf(dataDir)
  const password = (await readFile(file, 'utf8').catch(() => '')).trim()
  if (!isManagedPassword(password)) throw new Error(`no Kafka password in ${file}: start the broker first`)
  return managedSasl(password)
}

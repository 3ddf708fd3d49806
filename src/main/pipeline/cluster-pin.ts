import type { Admin, Kafka } from 'kafkajs'
import { clusterMismatch } from '../kafka/cluster-gate'
import { appLog } from '../log/logger'

/**
 * The id of the cluster `kafka` reaches, as a pipeline starts. With `expected` (the managed broker's
 * id, known to the services), a broker of any other cluster is refused in words.
 */
export async function pinCluster(kafka: Kafka, expected: string | undefined, where: string): Promise<string> {
  const admin = kafka.admin()
  let found: string
  try {
    await admin.connect()
    found = (await admin.describeCluster()).clusterId
  } catch (err) {
    throw new Error(`cannot reach Kafka at ${where}: ${(err as Error).message}`, { cause: err })
  } finally {
    // The id (or the connect error) is the answer; a failed disconnect loses nothing the caller needs.
    await admin.disconnect().catch(() => undefined)
  }
  const wrong = expected === undefined ? null : clusterMismatch(expected, found, where)
  if (wrong) throw new Error(wrong)
  return found
}

/**
 * Why the cluster `admin` reaches now is not `clusterId`; null when it is, and when no broker
 * answers (one restarting, say), since the client's gate checks whichever answers next.
 */
export async function clusterChange(admin: Admin, clusterId: string, where: string): Promise<string | null> {
  try {
    return clusterMismatch(clusterId, (await admin.describeCluster()).clusterId, where)
  } catch (err) {
    // Its own message, apart from the lag's: a check that keeps failing is worth finding later.
    appLog('pipeline').debug({ err, where }, 'cluster check failed; asking again next tick')
    return null
  }
}

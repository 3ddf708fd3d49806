import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

type Env = Record<string, string | undefined>

/** Everything the broker writes for one data dir lives under <dataDir>/kafka. */
export interface BrokerDirs {
  root: string
  logDirs: string
  logs: string
  properties: string
  state: string
  startLock: string
  /** present once the storage holds the managed user's SCRAM credential (issue 15) */
  scramMarker: string
}

export function brokerDirs(dataDir: string): BrokerDirs {
  const root = join(resolve(dataDir), 'kafka')
  return {
    root,
    logDirs: join(root, 'data'),
    logs: join(root, 'logs'),
    properties: join(root, 'server.properties'),
    state: join(root, 'broker.json'),
    startLock: join(root, 'start.lock'),
    scramMarker: join(root, 'scram-credential'),
  }
}

/**
 * The directory holding pom.xml, server.properties.template and log4j2.xml. Searched, because the
 * same code runs from src/ under tsx, from out/main/ when bundled, and from a packaged app's
 * resources (which must ship resources/kafka as extraResources).
 */
export function kafkaResourcesDir(env: Env = process.env): string {
  const candidates: string[] = []
  if (env.TICKFLOW_KAFKA_RESOURCES) candidates.push(resolve(env.TICKFLOW_KAFKA_RESOURCES))
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath
  if (resourcesPath) candidates.push(join(resourcesPath, 'kafka'))
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    candidates.push(join(dir, 'resources', 'kafka'))
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  candidates.push(join(process.cwd(), 'resources', 'kafka'))
  const found = candidates.find((c) => existsSync(join(c, 'pom.xml')))
  if (!found)
    throw new Error('Kafka resources (resources/kafka/pom.xml) not found: set TICKFLOW_KAFKA_RESOURCES')
  return found
}

/**
 * The jars a packaged app ships (electron-builder copies build/kafka/lib there), or undefined
 * outside a packaged app.
 */
export function bundledJarsDir(
  resourcesPath = (process as { resourcesPath?: string }).resourcesPath,
): string | undefined {
  return resourcesPath ? join(resourcesPath, 'kafka', 'lib') : undefined
}

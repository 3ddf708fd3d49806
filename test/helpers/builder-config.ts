import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
// app-builder-lib is electron-builder's engine; its CLI loads the config through these two.
const require = createRequire(join(ROOT, 'package.json'))
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig: (dir: string, file: string, extra: null) => Promise<Record<string, unknown>>
  validateConfiguration: (config: unknown, logger: unknown) => Promise<void>
}
const { DebugLogger } = require('builder-util') as { DebugLogger: new (on: boolean) => unknown }

/** A config checked against electron-builder's schema; rejects with the schema's complaint. */
export async function validateBuilderConfig(config: Record<string, unknown>): Promise<void> {
  await validateConfiguration(config, new DebugLogger(false))
}

/** electron-builder.yml through electron-builder's own loader and schema (what `dist` reads). */
export async function loadBuilderConfig(): Promise<Record<string, unknown>> {
  const config = await getConfig(ROOT, 'electron-builder.yml', null)
  await validateBuilderConfig(config)
  return config
}

import { join } from 'node:path'
import { WINDOW_STATE_FILE } from './window-state'

export interface ShellPaths {
  /** embedded PostgreSQL, the broker's logs, settings.json: what the CLI keeps under --data-dir */
  dataDir: string
  /** the Kafka jars, fetched once */
  cacheDir: string
  windowState: string
}

/**
 * Under Electron everything Tickflow writes lives under the app's userData directory, so removing
 * that one directory removes the app's data, and the CLI's ~/.local/share/tickflow is never touched.
 */
export function shellPaths(userData: string): ShellPaths {
  return {
    dataDir: join(userData, 'data'),
    cacheDir: join(userData, 'cache'),
    windowState: join(userData, WINDOW_STATE_FILE),
  }
}

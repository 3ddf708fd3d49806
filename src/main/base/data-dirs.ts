import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

// Where Tickflow keeps its files by default. Every face and the broker's jar cache need these, so
// they sit here rather than in the folder of one of their users.

type Env = Record<string, string | undefined>

/**
 * Where Tickflow keeps data when --data-dir is not given: $TICKFLOW_DATA_DIR, else the XDG data
 * dir. As root, /var/lib/tickflow: embedded PostgreSQL runs as the postgres user there, and that
 * user cannot enter /root.
 */
export function defaultDataDir(
  env: Env = process.env,
  home: string = homedir(),
  uid: number | undefined = process.getuid?.(),
): string {
  if (env.TICKFLOW_DATA_DIR) return resolve(env.TICKFLOW_DATA_DIR)
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, 'tickflow')
  if (uid === 0) return '/var/lib/tickflow'
  return join(home, '.local', 'share', 'tickflow')
}

/** Cache root for downloaded jars: $TICKFLOW_CACHE_DIR, else $XDG_CACHE_HOME/tickflow, else ~/.cache/tickflow. */
export function defaultCacheDir(env: Env = process.env, home: string = homedir()): string {
  if (env.TICKFLOW_CACHE_DIR) return resolve(env.TICKFLOW_CACHE_DIR)
  const xdg = env.XDG_CACHE_HOME || join(home, '.cache')
  return join(xdg, 'tickflow')
}

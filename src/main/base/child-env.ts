/**
 * The environment a child process of ours gets (the broker's JVM, embedded PostgreSQL and its
 * tools, the watchdog): what a program needs to run, and nothing of the user's secrets. Tickflow's
 * own environment may hold FINNHUB_TOKEN, DATABASE_URL, KAFKA_SASL_PASSWORD or PGPASSWORD, and
 * embedded PostgreSQL runs as another OS user when we are root.
 */
const KEEP = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'JAVA_HOME']

export function childEnv(
  extra: Record<string, string> = {},
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env))
    if (v !== undefined && (KEEP.includes(k) || k.startsWith('LC_'))) out[k] = v
  return { ...out, ...extra }
}

import { randomBytes } from 'node:crypto'
import fs from 'node:fs/promises'
import pg from 'pg'
import { writeFileAtomic } from '../base/atomic-file'

/**
 * The embedded server's two roles. The superuser (postgres) sets up: it makes the app's role and
 * database and hands them over, then its connection closes. The app, its migrations and its queries
 * run as `tickflow`: a login role that owns the tickflow database and what is in it, and nothing
 * else (no superuser, no createrole, no createdb). A bug or an injection in a query then reaches
 * Tickflow's tables only, not the server (COPY … PROGRAM, ALTER SYSTEM, reading files).
 */
export const APP_ROLE = 'tickflow'
export const SUPERUSER = 'postgres'

/** <dataDir>/tickflow.password: the role's password, mode 600 like the superuser's. */
export async function appRolePassword(file: string): Promise<string> {
  const kept = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null
    throw err
  })
  if (kept?.trim()) return kept.trim()
  // A new one (first start, or the file was lost): ensureAppRole sets it on the role.
  const password = randomBytes(18).toString('base64url')
  await writeFileAtomic(file, password + '\n', { mode: 0o600 }) // never a half-written password
  return password
}

const withDatabase = (url: string, database: string): string =>
  url.replace(/\/[^/?]*(\?|$)/, `/${database}$1`)

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

const ROLE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT'

/**
 * As the superuser (`superUrl`, any database): makes the role and the database, or brings them to
 * this state, on every start: the role has these attributes and this password, and owns the
 * database and every object of ours in it. The first start of a data dir made before the role
 * existed hands its tables, partitions, functions… over from the superuser (handOver); later starts
 * find nothing left to move.
 */
export async function ensureAppRole(superUrl: string, database: string, password: string): Promise<void> {
  await withClient(withDatabase(superUrl, 'postgres'), async (c) => {
    // A failing statement is logged with its text by default: never this one, which holds the password.
    await c.query(`SET log_min_error_statement = panic`)
    const { rowCount } = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE])
    const verb = rowCount ? 'ALTER' : 'CREATE'
    await c.query(`${verb} ROLE ${APP_ROLE} ${ROLE_ATTRIBUTES} PASSWORD ${c.escapeLiteral(password)}`)
    await c.query(`RESET log_min_error_statement`)
    const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (!db.rowCount) await c.query(`CREATE DATABASE ${c.escapeIdentifier(database)} OWNER ${APP_ROLE}`)
    else await c.query(`ALTER DATABASE ${c.escapeIdentifier(database)} OWNER TO ${APP_ROLE}`)
  })
  await withClient(withDatabase(superUrl, database), (c) => c.query(HAND_OVER).then(() => undefined))
}

/**
 * Everything of ours the superuser owns in the database, handed to the app's role: schemas, then
 * tables, partitions, views (their indexes, TOAST and owned sequences follow), then the sequences
 * left, routines and types. System schemas stay. The bootstrap superuser's objects are not in
 * pg_shdepend, so REASSIGN OWNED cannot be used: it refuses, as the superuser owns the catalogs.
 */
const HAND_OVER = `
DO $$
DECLARE
  su oid := '${SUPERUSER}'::regrole;
  ours oid[] := ARRAY(SELECT oid FROM pg_namespace
                       WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)');
  r record;
BEGIN
  FOR r IN SELECT nspname FROM pg_namespace WHERE oid = ANY (ours) AND nspowner = su LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO ${APP_ROLE}', r.nspname);
  END LOOP;
  FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c
            WHERE c.relnamespace = ANY (ours) AND c.relowner = su AND c.relkind IN ('r', 'p', 'v', 'm', 'f') LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${APP_ROLE}',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
                     ELSE 'TABLE' END, r.rel);
  END LOOP;
  -- after the tables: a sequence owned by a column has moved with its table, and cannot move alone
  FOR r IN SELECT c.oid::regclass AS rel FROM pg_class c
            WHERE c.relnamespace = ANY (ours) AND c.relowner = su AND c.relkind = 'S' LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO ${APP_ROLE}', r.rel);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn, p.prokind FROM pg_proc p
            WHERE p.pronamespace = ANY (ours) AND p.proowner = su LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${APP_ROLE}',
      CASE r.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, r.fn);
  END LOOP;
  -- types of their own: enums, domains, ranges, composites made by CREATE TYPE (a table's row
  -- type and array types follow their table or element)
  FOR r IN SELECT t.oid::regtype AS typ, t.typtype FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid
            WHERE t.typnamespace = ANY (ours) AND t.typowner = su
              AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c')) LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${APP_ROLE}', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.typ);
  END LOOP;
END $$`

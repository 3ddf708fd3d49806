import { describe, expect, it } from 'vitest'
import { parseFlags, resolveSettings } from '../config'
import { roleFlagConflict, roleParts, roleSettingsIssues } from './role'

const shared = [
  '--brokers',
  'k1:9092',
  '--database-url',
  'postgres://me@db/tickflow',
  '--data-dir',
  '/tmp/tf',
]
const resolve = (argv: string[]): ReturnType<typeof resolveSettings> =>
  resolveSettings(parseFlags(argv).settings, {})

describe('roleParts', () => {
  it('runs the feed without the writer, the writer without the feed, or both', () => {
    expect(roleParts('ingest')).toEqual({ feed: true, writer: false })
    expect(roleParts('write')).toEqual({ feed: false, writer: true })
    expect(roleParts('all')).toEqual({ feed: true, writer: true })
  })
})

describe('--role', () => {
  it('defaults to all, and takes ingest and write', () => {
    expect(resolve(shared).role).toBe('all')
    expect(resolve(['--role', 'ingest', ...shared]).role).toBe('ingest')
    expect(resolve(['--role', 'write', '--group-id', 'w', ...shared])).toMatchObject({
      role: 'write',
      groupId: 'w',
    })
  })

  it('refuses a role it does not know, naming the setting', () => {
    expect(() => resolve(['--role', 'reader', ...shared])).toThrow(/role/)
  })

  it('refuses feed flags for a writer in one line that names them', () => {
    expect(() => parseFlags(['--role', 'write', '--source', 'demo', ...shared])).toThrow(
      /^--role write runs no feed, so --source would do nothing/,
    )
    const both = (): unknown => parseFlags(['--role', 'write', '--symbols', 'AAPL', '--record', 'f.jsonl'])
    expect(both).toThrow('--symbols, --record would do nothing; give them to the --role ingest process')
    // The same flags are fine for the roles that have a feed.
    expect(parseFlags(['--role', 'ingest', '--source', 'demo', '--demo-rate', '5']).settings).toMatchObject({
      role: 'ingest',
      source: 'demo',
      demoRate: 5,
    })
    expect(roleFlagConflict(undefined, ['source', 'symbols'])).toBeNull()
  })

  it('makes a writer name the cluster and the database its group shares', () => {
    expect(() => resolve(['--role', 'write', '--data-dir', '/tmp/tf'])).toThrow(
      /--brokers[\s\S]*--database-url/,
    )
    expect(roleSettingsIssues({ role: 'write', brokers: ['k1:9092'] })).toEqual([
      { path: 'databaseUrl', message: expect.stringContaining('--database-url') },
    ])
    // ingest and all may run the local broker and embedded PostgreSQL
    expect(roleSettingsIssues({ role: 'ingest' })).toEqual([])
    expect(roleSettingsIssues({ role: 'all' })).toEqual([])
  })

  it("lets a writer ignore a settings file's source, which other roles on the machine use", () => {
    const file = { source: 'replay' as const } // no replayFile: an error for a role with a feed
    const flags = (role: string): Parameters<typeof resolveSettings>[0] =>
      parseFlags(['--role', role, ...shared]).settings
    expect(resolveSettings(flags('write'), {}, file).role).toBe('write')
    expect(() => resolveSettings(flags('ingest'), {}, file)).toThrow(/--replay-file/)
  })
})

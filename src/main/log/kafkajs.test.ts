import { logLevel, type LogEntry } from 'kafkajs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createKafka, type KafkaLogEntry } from '../kafka/client'
import { kafkaLevelFor, kafkaLevelName, writeKafkaEntry } from './kafkajs'
import type { LogLevel } from './levels'
import { createLogger, openLog } from './logger'

describe('kafkajs levels', () => {
  it('maps each log level to the kafkajs level that lets the same entries through', () => {
    const mapped = (['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const).map(
      kafkaLevelFor,
    )
    expect(mapped).toEqual([
      logLevel.NOTHING,
      logLevel.ERROR,
      logLevel.ERROR,
      logLevel.WARN,
      logLevel.INFO,
      logLevel.DEBUG,
      logLevel.DEBUG,
    ])
    expect([logLevel.ERROR, logLevel.WARN, logLevel.INFO, logLevel.DEBUG].map(kafkaLevelName)).toEqual([
      'error',
      'warn',
      'info',
      'debug',
    ])
  })
})

describe('writeKafkaEntry', () => {
  it('writes one line with the namespace and fields, at the entry level, without kafkajs stamps', () => {
    const lines: string[] = []
    const log = createLogger({ write: (l: string) => void lines.push(l) }, 'debug')
    const entry: LogEntry = {
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: '2024-01-01T00:00:00.000Z',
        message: 'Connection error',
        broker: 'b:1',
        error: 'boom',
      },
    }
    writeKafkaEntry(
      log,
      { ...entry, log: { ...entry.log, logger: 'kafkajs' } as LogEntry['log'] },
      { clientId: 'c' },
    )
    const r = JSON.parse(lines[0]!)
    expect(r).toMatchObject({
      level: 'error',
      namespace: 'Connection',
      broker: 'b:1',
      error: 'boom',
      clientId: 'c',
    })
    expect(r.msg).toBe('Connection error')
    expect(r).not.toHaveProperty('timestamp')
    expect(r).not.toHaveProperty('logger')
  })
})

describe('createKafka with the app log open', () => {
  let dir: string | null = null
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
    dir = null
  })

  // Nothing listens on port 1: connecting logs at debug (the attempt) and error (the failure).
  async function failToConnect(
    level: LogLevel,
    appLog?: boolean,
  ): Promise<{ records: Record<string, string>[]; own: KafkaLogEntry[] }> {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-kafkalog-'))
    const log = await openLog({ dir, name: 'test', level, secrets: ['s3cr3t-pw'] })
    const own: KafkaLogEntry[] = []
    try {
      const conn = {
        brokers: ['127.0.0.1:1'],
        clientId: 'log-test',
        sasl: { mechanism: 'plain' as const, username: 'alice', password: 's3cr3t-pw' },
      }
      const opts = {
        onLog: (e: KafkaLogEntry) => own.push(e),
        retry: { retries: 0 },
        connectionTimeoutMs: 500,
        appLog,
      }
      await expect(createKafka(conn, opts).admin().connect()).rejects.toThrow()
    } finally {
      await log.close()
    }
    const text = await readFile(join(dir, 'test.1.log'), 'utf8')
    expect(text).not.toContain('s3cr3t-pw')
    return {
      records: text
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
      own,
    }
  }

  it('routes kafkajs entries into the log at debug, with their namespace and client id', async () => {
    const { records, own } = await failToConnect('debug')
    const kafka = records.filter((r) => r.component === 'kafkajs')
    expect(kafka.some((r) => r.level === 'debug')).toBe(true)
    expect(kafka.some((r) => r.level === 'error')).toBe(true)
    expect(kafka.every((r) => r.clientId === 'log-test' && typeof r.namespace === 'string')).toBe(true)
    // onLog keeps its own level (warn by default): the debug entries are not its business.
    expect(own.length).toBeGreaterThan(0)
    expect(own.every((e) => e.level === 'error' || e.level === 'warn')).toBe(true)
  })

  it('keeps only errors at the error level', async () => {
    const { records } = await failToConnect('error')
    expect(records.length).toBeGreaterThan(0)
    expect(records.every((r) => r.level === 'error')).toBe(true)
  })

  it('leaves a client that opts out (a probe) out of the log, onLog still hearing it', async () => {
    const { records, own } = await failToConnect('debug', false)
    expect(records.filter((r) => r.component === 'kafkajs')).toEqual([])
    expect(own.some((e) => e.level === 'error')).toBe(true)
  })
})

import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isProcessAlive, parseProcState, processCommandLine } from '../../base/process-info'
import {
  acquireStartLock,
  isOurBrokerCommand,
  parseBrokerState,
  readBrokerState,
  writeBrokerState,
  type BrokerState,
} from './broker-state'

const state: BrokerState = {
  pid: 4242,
  port: 9092,
  controllerPort: 40001,
  bootstrap: '127.0.0.1:9092',
  propertiesPath: '/home/u/.local/share/tickflow/kafka/server.properties',
  startedAt: '2026-01-01T00:00:00.000Z',
}

describe('state file', () => {
  const dirs: string[] = []
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

  it('round-trips through disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tf-state-'))
    dirs.push(dir)
    const path = join(dir, 'broker.json')
    await writeBrokerState(path, state)
    expect(await readBrokerState(path)).toEqual(state)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(state)
  })

  it('reads a missing file as no state', async () => {
    expect(await readBrokerState('/nonexistent/broker.json')).toBeUndefined()
  })

  it('reads corrupt or foreign content as no state', () => {
    expect(parseBrokerState('{"pid": 1')).toBeUndefined()
    expect(parseBrokerState('null')).toBeUndefined()
    expect(parseBrokerState(JSON.stringify({ ...state, pid: -1 }))).toBeUndefined()
    expect(parseBrokerState(JSON.stringify({ ...state, port: 70000 }))).toBeUndefined()
    expect(parseBrokerState(JSON.stringify({ pid: 1 }))).toBeUndefined()
  })
})

describe('isOurBrokerCommand', () => {
  const props = '/d/kafka/server.properties'
  it('accepts our kafka.Kafka with this data dir', () => {
    expect(isOurBrokerCommand(`java -Xmx384m -cp /a.jar kafka.Kafka ${props}`, props)).toBe(true)
  })
  it('rejects a reused pid or another data dir', () => {
    expect(isOurBrokerCommand('/usr/bin/python3 app.py', props)).toBe(false)
    expect(isOurBrokerCommand('java -cp /a.jar kafka.Kafka /other/server.properties', props)).toBe(false)
    expect(isOurBrokerCommand(`vim ${props}`, props)).toBe(false)
  })
})

describe('parseProcState', () => {
  it('finds the state letter even when the command name has spaces and parentheses', () => {
    expect(parseProcState('1234 (java) S 1 1234 1234 0 -1')).toBe('S')
    expect(parseProcState('1234 (my (odd) name) Z 1 1234')).toBe('Z')
    expect(parseProcState('garbage')).toBeUndefined()
  })
})

describe('process probes', () => {
  it('see this process alive with its command line', async () => {
    expect(await isProcessAlive(process.pid)).toBe(true)
    expect(await processCommandLine(process.pid)).toContain('node')
  })

  it('see an exited child as dead even before it is reaped', async () => {
    const child = spawn('sh', ['-c', 'exit 0'])
    await new Promise((r) => child.once('exit', r))
    expect(await isProcessAlive(child.pid!)).toBe(false)
  })
})

describe('acquireStartLock', () => {
  it('excludes a second starter until released, and takes over a dead holder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tf-lock-'))
    try {
      const path = join(dir, 'start.lock')
      const release = await acquireStartLock(path)
      await expect(acquireStartLock(path)).rejects.toThrow('already starting')
      await release()
      const again = await acquireStartLock(path)
      await again()

      const dead = spawn('sh', ['-c', 'exit 0'])
      await new Promise((r) => dead.once('exit', r))
      await writeFile(path, String(dead.pid))
      const taken = await acquireStartLock(path)
      expect(await readFile(path, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`))
      await taken()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

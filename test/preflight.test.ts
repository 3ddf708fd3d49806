import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../src/main/kafka/broker/broker-launch'
import { describeMissing, findMissing, nodeMissing } from './setup/preflight'

const dirs: string[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true })
})

describe('the test preflight', () => {
  it('names every missing piece at once, each with its remedy', async () => {
    // An empty PATH hides java and mvn, as on a fresh Ubuntu.
    const empty = await mkdtemp(join(tmpdir(), 'tickflow-preflight-'))
    dirs.push(empty)
    const env = {
      PATH: empty,
      CHROMIUM_PATH: join(empty, 'chromium'),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
    }
    const missing = await findMissing(env)
    expect(missing.map((m) => m.what.split(' ')[0])).toEqual(['Java', 'Maven', 'Chromium', 'PostgreSQL'])
    const text = describeMissing(missing)
    expect(text).toContain('openjdk-17-jre-headless')
    expect(text).toContain('apt-get install -y maven')
    expect(text).toContain('TICKFLOW_MAVEN_REPO')
    expect(text).toContain('CHROMIUM_PATH')
    expect(text).toMatch(/cannot connect \(.*ECONNREFUSED/)
  })

  it('asks for DATABASE_URL only when it is set, and JAVA_HOME wins over the PATH', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tickflow-preflight-'))
    dirs.push(empty)
    const missing = await findMissing({ PATH: empty, JAVA_HOME: empty, CHROMIUM_PATH: '/bin/sh' })
    expect(missing.map((m) => m.what.split(' ')[0])).toEqual(['Java', 'Maven'])
  })

  it('wants a maintained Node: 22.12 or newer', () => {
    expect(nodeMissing('20.19.5')?.what).toBe('Node 22.12+ (found 20.19.5)')
    expect(nodeMissing('22.11.0')).toBeDefined()
    expect(nodeMissing('22.12.0')).toBeUndefined()
    expect(nodeMissing('24.22.3')).toBeUndefined()
  })
})

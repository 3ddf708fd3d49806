import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { brokerDirs, kafkaResourcesDir } from './paths'

describe('brokerDirs', () => {
  it('keeps everything under <dataDir>/kafka', () => {
    const d = brokerDirs('/d')
    expect(d).toEqual({
      root: '/d/kafka',
      logDirs: '/d/kafka/data',
      logs: '/d/kafka/logs',
      properties: '/d/kafka/server.properties',
      state: '/d/kafka/broker.json',
      startLock: '/d/kafka/start.lock',
      scramMarker: '/d/kafka/scram-credential',
    })
  })
})

describe('kafkaResourcesDir', () => {
  it('finds the repository resources from the source tree', () => {
    const dir = kafkaResourcesDir({})
    for (const f of ['pom.xml', 'server.properties.template', 'log4j2.xml'])
      expect(existsSync(join(dir, f))).toBe(true)
  })
})

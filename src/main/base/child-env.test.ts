import { describe, expect, it } from 'vitest'
import { childEnv } from './child-env'

describe('childEnv', () => {
  it('keeps what a program needs to run and drops everything else, secrets first', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/me',
      LC_TIME: 'de_DE.UTF-8',
      JAVA_HOME: '/usr/lib/jvm/17',
      FINNHUB_TOKEN: 'tok',
      DATABASE_URL: 'postgres://me:pw@db/x',
      KAFKA_SASL_PASSWORD: 'pw',
      PGPASSWORD: 'pw',
      NODE_OPTIONS: '--require=./x.js',
    }
    expect(childEnv({ LC_ALL: 'C' }, env)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      LC_TIME: 'de_DE.UTF-8',
      JAVA_HOME: '/usr/lib/jvm/17',
      LC_ALL: 'C',
    })
  })
})

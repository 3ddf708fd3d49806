import { pbkdf2Sync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  alterScramBody,
  alterScramErrors,
  encodeRequest,
  scramUpsertion,
  SCRAM_ITERATIONS,
} from './scram-upsert'

describe('AlterUserScramCredentials, spoken to a controller for old storage (L5)', () => {
  it('frames a flexible request with header v2: key, version, id, client id, empty tags', () => {
    const frame = encodeRequest(51, 0, 7, Buffer.from([0xaa]), true)
    const clientId = 'tickflow-scram-upgrade'
    expect(frame.readInt32BE(0)).toBe(frame.length - 4)
    expect(frame.readInt16BE(4)).toBe(51)
    expect(frame.readInt16BE(6)).toBe(0)
    expect(frame.readInt32BE(8)).toBe(7)
    expect(frame.readInt16BE(12)).toBe(clientId.length)
    expect(frame.toString('utf8', 14, 14 + clientId.length)).toBe(clientId)
    expect([...frame.subarray(14 + clientId.length)]).toEqual([0x00, 0xaa])
    // a non-flexible one has no tag byte
    expect(encodeRequest(17, 1, 1, Buffer.alloc(0), false).length).toBe(frame.length - 2)
  })

  it('salts the password as SCRAM-SHA-256 does (PBKDF2-HMAC-SHA-256, 4096 rounds)', async () => {
    const salt = Buffer.alloc(32, 1)
    const u = await scramUpsertion('tickflow', 'pw', 'SCRAM-SHA-256', salt)
    expect(u.iterations).toBe(SCRAM_ITERATIONS)
    expect(u.saltedPassword).toEqual(pbkdf2Sync('pw', salt, 4096, 32, 'sha256'))
  })

  it('lays out one upsertion in compact fields', () => {
    const body = alterScramBody({
      user: 'ab',
      mechanism: 'SCRAM-SHA-256',
      iterations: 4096,
      salt: Buffer.from([1, 2]),
      saltedPassword: Buffer.from([3]),
    })
    // deletions [] | upsertions [1] | "ab" | mechanism 1 | 4096 | salt | salted | tags | tags
    expect([...body]).toEqual([1, 2, 3, 0x61, 0x62, 1, 0, 0, 0x10, 0, 3, 1, 2, 2, 3, 0, 0])
  })

  it('reads the per-user errors of the response', () => {
    const ok = Buffer.from([0, 0, 0, 0, 2, 3, 0x61, 0x62, 0, 0, 0, 0, 0])
    expect(alterScramErrors(ok)).toEqual([])
    const msg = Buffer.from('not controller')
    const refused = Buffer.concat([
      Buffer.from([0, 0, 0, 0, 2, 3, 0x61, 0x62, 0, 41, msg.length + 1]),
      msg,
      Buffer.from([0, 0]),
    ])
    expect(alterScramErrors(refused)).toEqual([{ code: 41, message: 'not controller' }])
  })
})

import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseJarLock, type JarEntry } from './jar-lock'
import { checkJarSet, fileDigests, JarIntegrityError, placeVerifiedJar, verifyJar } from './jar-verify'

let dir: string
let entry: JarEntry
const bytes = Buffer.from('PK\u0003\u0004 a jar, as far as the hashes care'.repeat(50))

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickflow-jar-verify-'))
  await writeFile(join(dir, 'a-1.0.jar'), bytes)
  const digests = await fileDigests(join(dir, 'a-1.0.jar'))
  entry = { groupId: 'dev.tickflow', artifactId: 'a', version: '1.0', file: 'a-1.0.jar', ...digests }
})
afterEach(async () => rm(dir, { recursive: true, force: true }))

/** The same length with one byte changed, so only the hash can tell. */
function tampered(): Buffer {
  const b = Buffer.from(bytes)
  b[100] = (b[100] ?? 0) ^ 1
  return b
}

describe('fileDigests', () => {
  it('gives the size, SHA-256 and SHA-1 that sha256sum and sha1sum give', async () => {
    await writeFile(join(dir, 'abc'), 'abc')
    expect(await fileDigests(join(dir, 'abc'))).toEqual({
      size: 3,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      sha1: 'a9993e364706816aba3e25717850c26c9cd0d89d',
    })
  })
})

describe('verifyJar', () => {
  it('accepts the pinned bytes', async () => {
    await expect(verifyJar(join(dir, 'a-1.0.jar'), entry)).resolves.toBeUndefined()
  })

  it('refuses a tampered jar of the same size by its SHA-256', async () => {
    await writeFile(join(dir, 'a-1.0.jar'), tampered())
    const err = await verifyJar(join(dir, 'a-1.0.jar'), entry).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(JarIntegrityError)
    expect((err as Error).message).toMatch(/a-1\.0\.jar failed its SHA256 check .*refused/)
  })

  it('refuses a jar whose SHA-1 is not the published one', async () => {
    await expect(verifyJar(join(dir, 'a-1.0.jar'), { ...entry, sha1: '0'.repeat(40) })).rejects.toThrow(
      /SHA1 check/,
    )
  })

  it('refuses a truncated jar by its size', async () => {
    await writeFile(join(dir, 'a-1.0.jar'), bytes.subarray(0, 10))
    await expect(verifyJar(join(dir, 'a-1.0.jar'), entry)).rejects.toThrow(/is 10 bytes/)
  })
})

describe('placeVerifiedJar', () => {
  it('renames a verified jar into place', async () => {
    await placeVerifiedJar(join(dir, 'a-1.0.jar'), entry, join(dir, 'final.jar'))
    expect(await readdir(dir)).toEqual(['final.jar'])
  })

  it('deletes a tampered jar and writes nothing under the final name', async () => {
    await writeFile(join(dir, 'a-1.0.jar.part'), tampered())
    await expect(
      placeVerifiedJar(join(dir, 'a-1.0.jar.part'), entry, join(dir, 'final.jar')),
    ).rejects.toThrow(JarIntegrityError)
    expect(existsSync(join(dir, 'a-1.0.jar.part'))).toBe(false)
    expect(existsSync(join(dir, 'final.jar'))).toBe(false)
  })
})

describe('checkJarSet', () => {
  it('says which jar is missing or wrong, and nothing when the set is whole', async () => {
    const other = { ...entry, artifactId: 'b', file: 'b-1.0.jar' }
    const lock = parseJarLock(JSON.stringify({ pomSha256: 'c'.repeat(64), jars: [entry, other] }))
    expect(await checkJarSet(dir, lock)).toBe('b-1.0.jar is missing')
    await writeFile(join(dir, 'b-1.0.jar'), tampered())
    expect(await checkJarSet(dir, lock)).toMatch(/b-1\.0\.jar failed its SHA256 check/)
    await writeFile(join(dir, 'b-1.0.jar'), bytes)
    expect(await checkJarSet(dir, lock)).toBeUndefined()
  })
})

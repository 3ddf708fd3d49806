import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_MAVEN_REPOSITORY,
  jarUrl,
  lockKey,
  mavenRepository,
  parseJarLock,
  readJarLock,
  sha256Hex,
  type JarEntry,
} from './jar-lock'
import { kafkaResourcesDir } from '../broker/paths'

const entry: JarEntry = {
  groupId: 'org.apache.kafka',
  artifactId: 'kafka-clients',
  version: '4.4.0',
  file: 'kafka-clients-4.4.0.jar',
  size: 11,
  sha256: 'a'.repeat(64),
  sha1: 'b'.repeat(40),
}
const lockText = (jars: unknown[], extra: object = {}): string =>
  JSON.stringify({ pomSha256: 'c'.repeat(64), jars, ...extra })

describe('parseJarLock', () => {
  it('accepts a well-formed lock, with or without a classifier', () => {
    const withClassifier = { ...entry, classifier: 'linux', file: 'kafka-clients-4.4.0-linux.jar' }
    const lock = parseJarLock(lockText([entry, withClassifier], { $comment: 'generated' }))
    expect(lock.jars.map((j) => j.file)).toEqual(['kafka-clients-4.4.0.jar', 'kafka-clients-4.4.0-linux.jar'])
  })

  it.each([
    ['not JSON', '{', /not JSON/],
    ['no jars', lockText([]), /at jars/],
    [
      'a short SHA-256',
      lockText([{ ...entry, sha256: 'a'.repeat(63) }]),
      /jars\.0\.sha256: not a lowercase SHA-256/,
    ],
    ['an uppercase SHA-1', lockText([{ ...entry, sha1: 'B'.repeat(40) }]), /jars\.0\.sha1/],
    ['a missing SHA-1', lockText([{ ...entry, sha1: undefined }]), /jars\.0\.sha1/],
    ['a zero size', lockText([{ ...entry, size: 0 }]), /jars\.0\.size/],
    ['a file name that climbs out', lockText([{ ...entry, file: '../../evil.jar' }]), /jars\.0\.file/],
    ['a file name off its coordinates', lockText([{ ...entry, file: 'other-4.4.0.jar' }]), /jars\.0\.file/],
    [
      'a slash in a coordinate',
      lockText([{ ...entry, artifactId: 'a/b', file: 'a/b-4.4.0.jar' }]),
      /artifactId/,
    ],
    [
      'a SNAPSHOT',
      lockText([{ ...entry, version: '4.5.0-SNAPSHOT', file: 'kafka-clients-4.5.0-SNAPSHOT.jar' }]),
      /SNAPSHOT/,
    ],
    ['an unknown field', lockText([{ ...entry, url: 'http://x' }]), /jars\.0/],
    ['a duplicate file', lockText([entry, entry]), /jars\.1\.file: duplicate file/],
    ['no pom hash', JSON.stringify({ jars: [entry] }), /pomSha256/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseJarLock(text)).toThrow(message)
  })
})

describe('lockKey', () => {
  it('follows the pinned bytes, not the order or formatting of the file', () => {
    const other = { ...entry, artifactId: 'x', file: 'x-4.4.0.jar' }
    const a = parseJarLock(lockText([entry, other]))
    const b = parseJarLock(JSON.stringify(JSON.parse(lockText([other, entry])), null, 4))
    expect(lockKey(a)).toMatch(/^[0-9a-f]{16}$/)
    expect(lockKey(a)).toBe(lockKey(b))
    expect(lockKey(parseJarLock(lockText([{ ...entry, sha256: 'd'.repeat(64) }, other])))).not.toBe(
      lockKey(a),
    )
  })
})

describe('readJarLock', () => {
  const dirs: string[] = []
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))))

  it('refuses a lock made from another pom, and names the command that fixes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickflow-lock-'))
    dirs.push(dir)
    await writeFile(join(dir, 'pom.xml'), '<project/>')
    await writeFile(join(dir, 'jars.lock.json'), lockText([entry], { pomSha256: sha256Hex('<project/>') }))
    await expect(readJarLock(dir)).resolves.toMatchObject({ jars: [entry] })
    await writeFile(join(dir, 'pom.xml'), '<project><!-- bumped --></project>')
    await expect(readJarLock(dir)).rejects.toThrow('npm run kafka -- lock')
  })

  it('accepts the committed lock for the committed pom', async () => {
    const dir = kafkaResourcesDir()
    const lock = await readJarLock(dir)
    expect(lock.jars.some((j) => j.file === 'kafka_2.13-4.4.0.jar')).toBe(true)
    expect(lock.jars.some((j) => j.file.startsWith('log4j-slf4j-impl-'))).toBe(true)
    expect(JSON.parse(await readFile(join(dir, 'jars.lock.json'), 'utf8')).pomSha256).toBe(
      sha256Hex(await readFile(join(dir, 'pom.xml'))),
    )
  })
})

describe('mavenRepository', () => {
  it('defaults to Maven Central and takes a mirror without its trailing slash', () => {
    expect(mavenRepository({})).toBe(DEFAULT_MAVEN_REPOSITORY)
    expect(mavenRepository({ TICKFLOW_MAVEN_REPO: ' https://mirror.example/maven2/ ' })).toBe(
      'https://mirror.example/maven2',
    )
    expect(mavenRepository({ TICKFLOW_MAVEN_REPO: 'http://127.0.0.1:8081/repo' })).toBe(
      'http://127.0.0.1:8081/repo',
    )
  })

  it('refuses plain HTTP off the loopback, credentials and non-URLs', () => {
    expect(() => mavenRepository({ TICKFLOW_MAVEN_REPO: 'http://mirror.example/maven2' })).toThrow('https://')
    expect(() => mavenRepository({ TICKFLOW_MAVEN_REPO: 'https://u:p@mirror.example' })).toThrow(
      'credentials',
    )
    expect(() => mavenRepository({ TICKFLOW_MAVEN_REPO: 'mirror' })).toThrow('not a URL')
  })
})

describe('jarUrl', () => {
  it('builds the standard repository layout', () => {
    expect(jarUrl('https://repo1.maven.org/maven2/', entry)).toBe(
      'https://repo1.maven.org/maven2/org/apache/kafka/kafka-clients/4.4.0/kafka-clients-4.4.0.jar',
    )
  })
})

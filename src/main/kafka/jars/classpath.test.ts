// The resolution order and the HTTPS path, against a Maven repository served on the loopback
// interface (the real Maven Central is fetched in test/jar-fetch.int.test.ts).
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { copyBrokerJars, resolveBrokerClasspath, type ResolveOptions } from './classpath'
import { jarUrl, lockKey, parseJarLock, sha256Hex, type JarLock } from './jar-lock'
import { fileDigests } from './jar-verify'
import { bundledJarsDir } from '../broker/paths'

const POM = '<project><!-- test --></project>'
// One jar larger than a network chunk, so sizes and hashes span several reads.
const CONTENTS: Record<string, Buffer> = {
  a: Buffer.alloc(300_000, 'a'),
  b: Buffer.from('b'.repeat(1000)),
  c: Buffer.from('c'.repeat(10)),
}

let root: string
let resourcesDir: string
let pristine: string
let lock: JarLock
let server: Server
let repository: string
/** What the mirror serves, by URL path; tests tamper with it. */
let served: Map<string, Buffer>
let requests: string[]

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickflow-classpath-'))
  resourcesDir = join(root, 'resources')
  pristine = join(root, 'pristine')
  await mkdir(resourcesDir)
  await mkdir(pristine)
  await writeFile(join(resourcesDir, 'pom.xml'), POM)
  const jars = []
  for (const [name, bytes] of Object.entries(CONTENTS)) {
    const file = `${name}-1.0.jar`
    await writeFile(join(pristine, file), bytes)
    jars.push({
      groupId: 'dev.tickflow.test',
      artifactId: name,
      version: '1.0',
      file,
      ...(await fileDigests(join(pristine, file))),
    })
  }
  lock = parseJarLock(JSON.stringify({ pomSha256: sha256Hex(POM), jars }))
  await writeFile(join(resourcesDir, 'jars.lock.json'), JSON.stringify(lock))
  server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const body = served.get(req.url ?? '')
    res.writeHead(body ? 200 : 404).end(body)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  repository = `http://127.0.0.1:${(server.address() as AddressInfo).port}/maven2`
})
afterAll(async () => {
  await new Promise((ok) => server.close(ok))
  await rm(root, { recursive: true, force: true })
})

let cacheDir: string
let progress: string[]
const opts = (extra: Partial<ResolveOptions> = {}): ResolveOptions => ({
  resourcesDir,
  cacheDir,
  bundledDir: null,
  repository,
  onProgress: (m) => progress.push(m),
  ...extra,
})
const path = (file: string): string =>
  new URL(
    jarUrl(
      repository,
      lock.jars.find((j) => j.file === file)!,
    ),
  ).pathname

beforeEach(async () => {
  cacheDir = await mkdtemp(join(root, 'cache-'))
  progress = []
  requests = []
  served = new Map(lock.jars.map((j) => [new URL(jarUrl(repository, j)).pathname, CONTENTS[j.artifactId]!]))
})
afterEach(async () => rm(cacheDir, { recursive: true, force: true }))

describe('resolveBrokerClasspath', () => {
  it('fetches the pinned jars into the cache, then uses the cache without the network', async () => {
    const first = await resolveBrokerClasspath(opts())
    expect(first.source).toBe('https')
    expect(first.dir).toBe(join(cacheDir, 'kafka', `jars-${lockKey(lock)}`))
    expect(first.classpath).toBe(
      ['a-1.0.jar', 'b-1.0.jar', 'c-1.0.jar'].map((f) => join(first.dir, f)).join(':'),
    )
    expect(progress.some((m) => /jar 3\/3 .*, 0\.3\/0\.3 MB$/.test(m))).toBe(true)
    expect((await readdir(first.dir)).sort()).toEqual(['a-1.0.jar', 'b-1.0.jar', 'c-1.0.jar'])
    expect(requests).toHaveLength(3)

    const second = await resolveBrokerClasspath(opts())
    expect(second.source).toBe('cache')
    expect(requests).toHaveLength(3)
  })

  it('takes the bundled jars first', async () => {
    const cp = await resolveBrokerClasspath(opts({ bundledDir: pristine }))
    expect(cp).toMatchObject({ source: 'bundled', dir: pristine })
    expect(requests).toHaveLength(0)
  })

  it('passes over a tampered bundled set', async () => {
    const bundled = join(cacheDir, 'bundled')
    await cp(pristine, bundled, { recursive: true })
    await writeFile(join(bundled, 'b-1.0.jar'), 'B'.repeat(1000))
    const cp2 = await resolveBrokerClasspath(opts({ bundledDir: bundled }))
    expect(cp2.source).toBe('https')
    expect(progress[0]).toMatch(/bundled .* unusable \(b-1\.0\.jar failed its SHA256 check/)
  })

  it('fetches again when a cached jar was damaged', async () => {
    const { dir } = await resolveBrokerClasspath(opts())
    await writeFile(join(dir, 'a-1.0.jar'), Buffer.alloc(300_000, 'x'))
    expect((await resolveBrokerClasspath(opts())).source).toBe('https')
    expect(await fileDigests(join(dir, 'a-1.0.jar'))).toMatchObject({ sha256: lock.jars[0]!.sha256 })
  })

  it.each([
    ['other bytes of the same size', Buffer.from('B'.repeat(1000)), /b-1\.0\.jar failed its SHA256 check/],
    [
      'more bytes than pinned',
      Buffer.from('b'.repeat(1001)),
      /b-1\.0\.jar is larger than the lock's 1000 bytes/,
    ],
  ])(
    'refuses a mirror that serves %s, leaves nothing behind and does not fall back',
    async (_n, body, msg) => {
      served.set(path('b-1.0.jar'), body)
      await expect(resolveBrokerClasspath(opts())).rejects.toThrow(msg)
      expect(await readdir(join(cacheDir, 'kafka'))).toEqual([])
      expect(progress.join('\n')).not.toContain('Maven')
    },
  )

  it('refuses a lock that no longer matches the pom', async () => {
    const stale = join(cacheDir, 'stale')
    await cp(resourcesDir, stale, { recursive: true })
    await writeFile(join(stale, 'pom.xml'), POM.replace('test', 'bumped'))
    await expect(resolveBrokerClasspath(opts({ resourcesDir: stale }))).rejects.toThrow(
      'npm run kafka -- lock',
    )
  })
})

describe('copyBrokerJars', () => {
  it('leaves exactly the verified set in dest, dropping stale jars', async () => {
    const dest = join(cacheDir, 'build', 'kafka', 'lib')
    await mkdir(dest, { recursive: true })
    await writeFile(join(dest, 'old-0.9.jar'), 'stale')
    const resolved = await resolveBrokerClasspath(opts({ bundledDir: pristine }))
    await copyBrokerJars(resolved, dest)
    expect((await readdir(dest)).sort()).toEqual(['a-1.0.jar', 'b-1.0.jar', 'c-1.0.jar'])
    expect(existsSync(`${dest}.partial-${process.pid}`)).toBe(false)
  })

  it('refuses to copy a set that changed after it was resolved', async () => {
    const bundled = join(cacheDir, 'bundled')
    await cp(pristine, bundled, { recursive: true })
    const resolved = await resolveBrokerClasspath(opts({ bundledDir: bundled }))
    await writeFile(join(bundled, 'c-1.0.jar'), 'C'.repeat(10))
    const dest = join(cacheDir, 'dest')
    await expect(copyBrokerJars(resolved, dest)).rejects.toThrow(/c-1\.0\.jar failed/)
    expect(existsSync(dest)).toBe(false)
  })
})

describe('bundledJarsDir', () => {
  it('is kafka/lib in the resources of a packaged app, and nothing under plain Node', () => {
    expect(bundledJarsDir('/opt/Tickflow/resources')).toBe('/opt/Tickflow/resources/kafka/lib')
    expect(bundledJarsDir()).toBeUndefined()
  })
})

// The pinned broker jars from the real Maven repository (Maven Central, or TICKFLOW_MAVEN_REPO),
// into a temp cache, verified, and runnable. Also the Maven fallback when the repository is down.
import { execFile } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyBrokerJars, resolveBrokerClasspath, type BrokerClasspath } from '../src/main/kafka/jars/classpath'
import { readJarLock, type JarLock } from '../src/main/kafka/jars/jar-lock'
import { checkJarSet } from '../src/main/kafka/jars/jar-verify'
import { kafkaResourcesDir } from '../src/main/kafka/broker/paths'
import { checkJava } from '../src/main/kafka/jars/prereqs'

const run = promisify(execFile)

let root: string
let lock: JarLock
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickflow-jar-fetch-'))
  lock = await readJarLock(kafkaResourcesDir())
})
afterAll(async () => rm(root, { recursive: true, force: true }))

/** kafka.tools.StorageTool prints a fresh cluster id: proof that the set loads and runs. */
async function storageToolRuns(cp: BrokerClasspath): Promise<string> {
  const { command } = await checkJava()
  const { stdout } = await run(command, ['-cp', cp.classpath, 'kafka.tools.StorageTool', 'random-uuid'])
  return stdout.trim()
}

describe('the pinned broker jars', () => {
  let fetched: BrokerClasspath

  it('are fetched over HTTPS into an empty cache, each verified, and run', async () => {
    const progress: string[] = []
    const cacheDir = join(root, 'cache')
    fetched = await resolveBrokerClasspath({
      cacheDir,
      bundledDir: null,
      onProgress: (m) => progress.push(m),
    })
    expect(fetched.source).toBe('https')
    expect(fetched.jars).toHaveLength(lock.jars.length)
    expect(progress.some((m) => m.includes(`jar ${lock.jars.length}/${lock.jars.length} `))).toBe(true)
    expect(await checkJarSet(fetched.dir, lock)).toBeUndefined()
    expect(await readdir(join(cacheDir, 'kafka'))).toEqual([`jars-${fetched.dir.split('-').at(-1)}`])
    expect(await storageToolRuns(fetched)).toMatch(/^[A-Za-z0-9_-]{22}$/)

    const again = await resolveBrokerClasspath({ cacheDir, bundledDir: null })
    expect(again).toMatchObject({ source: 'cache', dir: fetched.dir })
  })

  it('are copied as a verified set for packaging', async () => {
    const dest = join(root, 'build', 'kafka', 'lib')
    await copyBrokerJars(fetched, dest)
    expect((await readdir(dest)).sort()).toEqual(lock.jars.map((j) => j.file).sort())
    const bundled = await resolveBrokerClasspath({ cacheDir: join(root, 'unused'), bundledDir: dest })
    expect(bundled).toMatchObject({ source: 'bundled', dir: dest })
  })

  it('come from Maven, verified against the lock, when the repository cannot be reached', async () => {
    const progress: string[] = []
    // A port that was free a moment ago refuses the connection.
    const probe = createServer()
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok))
    const { port } = probe.address() as AddressInfo
    await new Promise((ok) => probe.close(ok))
    const cp = await resolveBrokerClasspath({
      cacheDir: join(root, 'maven-cache'),
      bundledDir: null,
      repository: `http://127.0.0.1:${port}/maven2`,
      onProgress: (m) => progress.push(m),
    })
    expect(cp.source).toBe('maven')
    expect(progress.join('\n')).toMatch(/Could not fetch .*ECONNREFUSED.*trying Maven/)
    expect(await checkJarSet(cp.dir, lock)).toBeUndefined()
  })
})

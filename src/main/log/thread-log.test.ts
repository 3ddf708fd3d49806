import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { afterEach, expect, it } from 'vitest'
import { openLog } from './logger'

// The consumer runs in a worker thread; its kafkajs entries must reach the main thread's file.
// The worker loads logger.ts through tsx, as consumer-thread.ts loads its worker under tsx.
const BOOT = `
const { workerData } = require('node:worker_threads')
import(workerData.tsxApi)
  .then((tsx) => tsx.tsImport(workerData.logger, workerData.logger))
  .then((m) => m.appLog('thread').warn({ detail: 'sent with ' + workerData.secret }, 'from the worker'))
`

let dir: string
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

it('a worker thread logs into the file of the main thread, at its level and masked', async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickflow-threadlog-'))
  const secret = 'thread-secret-42'
  const log = await openLog({ dir, name: 'pipeline', level: 'info', secrets: [secret] })
  const file = join(dir, 'pipeline.1.log')
  try {
    const tsxApi = join(
      dirname(createRequire(import.meta.url).resolve('tsx/package.json')),
      'dist/esm/api/index.mjs',
    )
    const worker = new Worker(BOOT, {
      eval: true,
      workerData: {
        tsxApi: pathToFileURL(tsxApi).href,
        logger: pathToFileURL(join(import.meta.dirname, 'logger.ts')).href,
        secret,
      },
    })
    const code = await new Promise<number>((resolve, reject) => {
      worker.once('error', reject)
      worker.once('exit', resolve)
    })
    expect(code).toBe(0) // it ended by itself: the channel does not hold the thread open
    // The line travels through a channel: wait until the main thread has written it.
    const deadline = Date.now() + 10_000
    while (!(await readFile(file, 'utf8')).includes('from the worker') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
  } finally {
    await log.close()
  }
  const text = await readFile(file, 'utf8')
  const record = JSON.parse(text.trim().split('\n').at(-1)!)
  expect(record).toMatchObject({
    component: 'thread',
    level: 'warn',
    msg: 'from the worker',
    thread: expect.any(Number),
  })
  expect(record.detail).toBe('sent with [redacted]')
  expect(text).not.toContain(secret)
})

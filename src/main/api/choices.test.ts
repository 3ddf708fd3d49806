import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveSettings } from '../config'
import { createBehaviour } from './behaviour'
import { createChoices, type Choices } from './choices'
import { dispatch } from './dispatch'

// The choices without a database: the thresholds table is unreachable, which only leaves the
// defaults in the config. What is tested here is how a client's replay becomes a path.
const noDatabase = { query: () => Promise.reject(new Error('no database here')) } as unknown as pg.Pool

describe("the source's replay, as a client chooses it", () => {
  let dataDir: string
  let choices: Choices
  let running = false
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tickflow-choices-'))
    await mkdir(join(dataDir, 'recordings'))
    await writeFile(join(dataDir, 'recordings', 'today.jsonl'), '')
    choices = createChoices({
      settings: resolveSettings({ dataDir }, {}),
      pool: noDatabase,
      running: () => running,
      source: () => null,
      emit: () => undefined,
      warn: () => undefined,
      behaviour: createBehaviour({}).current,
    })
  })
  afterAll(() => rm(dataDir, { recursive: true, force: true }))

  const setSource = (request: unknown): Promise<unknown> =>
    dispatch({ setSource: choices.setSource } as never, 'setSource', request)

  it('takes one of the recordings by name', async () => {
    expect(await setSource({ source: 'replay', recording: 'today.jsonl' })).toMatchObject({
      source: 'replay',
      replayFile: 'today.jsonl',
      replayRecording: 'today.jsonl',
    })
  })

  it('refuses a path the same way whether or not its file exists, and changes nothing', async () => {
    const refusals: string[] = []
    for (const recording of ['/etc/passwd', '/etc/no-such-file', '../x', '../settings.json']) {
      const err = (await setSource({ source: 'replay', recording }).catch((e: Error) => e)) as Error
      expect(err, recording).toBeInstanceOf(Error)
      refusals.push(err.message)
    }
    expect(new Set(refusals).size).toBe(1)
    expect(refusals[0]).toMatch(/^recording: a recording is named by its file name in the recordings folder/)
    expect(refusals[0]).not.toMatch(/exist|ENOENT|no such|passwd/i)
    // Nor does a request that skipped the contract reach a file outside the folder.
    await expect(choices.setSource({ source: 'replay', recording: '/etc/passwd' })).rejects.toThrow(
      /named by its file name/,
    )
    expect(choices.next.replayFile).toBe(join(dataDir, 'recordings', 'today.jsonl'))
  })

  it('refuses a replay file in a Start request too', async () => {
    await expect(
      choices.useForStart({ source: 'replay', symbols: ['AAPL'], recording: '../x' }),
    ).rejects.toThrow(/named by its file name/)
    expect(choices.next.replayFile).toBe(join(dataDir, 'recordings', 'today.jsonl'))
  })

  it("keeps the app dialog's file as the replay, and shows it is no recording", async () => {
    const config = await choices.useReplayFile('/home/ann/feeds/mine.jsonl')
    expect(config).toMatchObject({
      source: 'replay',
      // the client sees its name, never where it is
      replayFile: 'mine.jsonl',
      replayRecording: null,
    })
    running = true
    await expect(choices.useReplayFile('/home/ann/other.jsonl')).rejects.toThrow(/stop the pipeline/)
    running = false
  })
})

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_WINDOW_STATE,
  isOnScreen,
  readWindowState,
  restoreWindowState,
  writeWindowState,
  type Rect,
} from './window-state'

const LAPTOP: Rect = { x: 0, y: 0, width: 1920, height: 1080 }
// a second monitor to the right of the laptop
const MONITOR: Rect = { x: 1920, y: 0, width: 2560, height: 1440 }

describe('isOnScreen', () => {
  it('wants the top strip grabbable on some display', () => {
    expect(isOnScreen({ x: 100, y: 100, width: 1280, height: 860 }, [LAPTOP])).toBe(true)
    // mostly off to the right, but 200 px of the title bar still shows
    expect(isOnScreen({ x: 1720, y: 100, width: 1280, height: 860 }, [LAPTOP])).toBe(true)
    // only 50 px of it shows: too little to grab
    expect(isOnScreen({ x: 1870, y: 100, width: 1280, height: 860 }, [LAPTOP])).toBe(false)
    // the title bar above the screen, though the body shows
    expect(isOnScreen({ x: 100, y: -500, width: 1280, height: 860 }, [LAPTOP])).toBe(false)
    expect(isOnScreen({ x: 3000, y: 200, width: 1280, height: 860 }, [LAPTOP, MONITOR])).toBe(true)
    expect(isOnScreen({ x: 100, y: 100, width: 1280, height: 860 }, [])).toBe(false)
  })
})

describe('restoreWindowState', () => {
  it('keeps a state that fits the displays', () => {
    const saved = { x: 2200, y: 50, width: 1600, height: 1000, maximized: true }
    expect(restoreWindowState(saved, [LAPTOP, MONITOR])).toEqual(saved)
  })

  it('drops a position on a monitor that is gone, and keeps the size', () => {
    const saved = { x: 2200, y: 50, width: 1600, height: 1000, maximized: false }
    expect(restoreWindowState(saved, [LAPTOP])).toEqual({ width: 1600, height: 1000, maximized: false })
  })

  it('shrinks a size larger than the largest display', () => {
    const saved = { x: 0, y: 0, width: 2560, height: 1440, maximized: false }
    expect(restoreWindowState(saved, [LAPTOP])).toEqual({
      x: 0,
      y: 0,
      width: 1920,
      height: 1080,
      maximized: false,
    })
  })

  it('refuses anything malformed, as the default', () => {
    for (const saved of [
      null,
      'big',
      [],
      { width: 1280, height: 860 },
      { width: '1280', height: 860, maximized: false },
      { width: 10, height: 10, maximized: false },
      { width: 1e9, height: 860, maximized: false },
      { width: 1280.5, height: 860, maximized: false },
      { x: Number.NaN, y: 0, width: 1280, height: 860, maximized: false },
    ])
      expect(restoreWindowState(saved, [LAPTOP]), JSON.stringify(saved)).toEqual(DEFAULT_WINDOW_STATE)
  })
})

describe('readWindowState and writeWindowState', () => {
  let dir: string
  let path: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-window-state-'))
    path = join(dir, 'window-state.json')
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('round-trips a state through the file, leaving no temp file behind', async () => {
    const state = { x: 40, y: 30, width: 1400, height: 900, maximized: false }
    await writeWindowState(path, state)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(state)
    expect(await readWindowState(path, [LAPTOP])).toEqual(state)
    expect(await readdir(dir)).toEqual(['window-state.json'])
  })

  it('reads a missing, corrupt or off-screen file as something usable', async () => {
    expect(await readWindowState(path, [LAPTOP])).toEqual(DEFAULT_WINDOW_STATE)
    await writeFile(path, '{"width": 1400, "hei')
    expect(await readWindowState(path, [LAPTOP])).toEqual(DEFAULT_WINDOW_STATE)
    await writeFile(path, JSON.stringify({ x: 9000, y: 9000, width: 1400, height: 900, maximized: true }))
    expect(await readWindowState(path, [LAPTOP])).toEqual({ width: 1400, height: 900, maximized: true })
  })

  it('refuses to write a state it would not read back, keeping the old file', async () => {
    const good = { width: 1400, height: 900, maximized: false }
    await writeWindowState(path, good)
    await expect(writeWindowState(path, { width: 5, height: 5, maximized: false })).rejects.toThrow()
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(good)
  })
})

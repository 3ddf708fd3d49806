import { readFile } from 'node:fs/promises'
import { z } from 'zod'
import { writeFileAtomic } from '../base/atomic-file'

/** The window's size and place between runs: <userData>/window-state.json. */
export const WINDOW_STATE_FILE = 'window-state.json'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** The window's smallest size, below which the dashboard's grid stops making sense. */
export const MIN_WINDOW_SIZE = { width: 640, height: 480 }

const windowStateSchema = z.object({
  // no position: let the window manager place it
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(MIN_WINDOW_SIZE.width).max(16_384),
  height: z.number().int().min(MIN_WINDOW_SIZE.height).max(16_384),
  maximized: z.boolean(),
})
export type WindowState = z.infer<typeof windowStateSchema>

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 860, maximized: false }

// A window counts as on screen when this much of its top strip (where the title bar is) shows on a
// display: enough to grab and drag it back. Less, and it was saved on a monitor that is gone.
const GRAB_W = 120
const GRAB_H = 40

function overlap(a: Rect, b: Rect): { w: number; h: number } {
  return {
    w: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    h: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  }
}

/** True when the window's top strip can be grabbed on one of the displays' work areas. */
export function isOnScreen(bounds: Rect, workAreas: Rect[]): boolean {
  const strip = { ...bounds, height: Math.min(bounds.height, GRAB_H) }
  return workAreas.some((area) => {
    const o = overlap(strip, area)
    return o.w >= Math.min(GRAB_W, bounds.width) && o.h >= Math.min(GRAB_H, strip.height)
  })
}

/**
 * A saved state as the next window may use it: anything malformed gives the default; a position
 * off every display is dropped (the size stays), and so is a size larger than the largest display.
 */
export function restoreWindowState(saved: unknown, workAreas: Rect[]): WindowState {
  const parsed = windowStateSchema.safeParse(saved)
  if (!parsed.success) return DEFAULT_WINDOW_STATE
  const { x, y, ...rest } = parsed.data
  const maxW = Math.max(0, ...workAreas.map((a) => a.width))
  const maxH = Math.max(0, ...workAreas.map((a) => a.height))
  const state: WindowState = {
    ...rest,
    width: maxW ? Math.min(rest.width, maxW) : rest.width,
    height: maxH ? Math.min(rest.height, maxH) : rest.height,
  }
  if (x === undefined || y === undefined) return state
  return isOnScreen({ x, y, width: state.width, height: state.height }, workAreas)
    ? { ...state, x, y }
    : state
}

/** Reads the saved state; a missing or unreadable file is the default, never an error. */
export async function readWindowState(path: string, workAreas: Rect[]): Promise<WindowState> {
  try {
    return restoreWindowState(JSON.parse(await readFile(path, 'utf8')), workAreas)
  } catch {
    return DEFAULT_WINDOW_STATE
  }
}

/** Writes the state atomically: a crash mid-write leaves the previous file, not half a file. */
export async function writeWindowState(path: string, state: WindowState): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(windowStateSchema.parse(state)) + '\n', { mode: 0o644 })
}

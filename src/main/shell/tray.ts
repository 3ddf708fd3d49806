import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron'
import { isActive, type Alert, type PipelineState } from '../../shared/status'

/** What the tray icon shows: an active alert outranks the pipeline's state. */
export type TrayState = 'stopped' | 'running' | 'alert'

/** What the tray's menu does; the shell binds these to the window, the core and app.quit. */
export interface TrayActions {
  open(): void
  start(): void
  stop(): void
  quit(): void
}

/** The Electron pieces the tray needs, passed in so tests drive the real code without Electron. */
export interface TrayPieces {
  createTray(image: NativeImage): Pick<Tray, 'setImage' | 'setContextMenu' | 'setToolTip' | 'destroy'>
  buildMenu(template: MenuItemConstructorOptions[]): Menu
  image(state: TrayState): NativeImage
}

const STATE_WORDS: Record<PipelineState, string> = {
  stopped: 'stopped',
  starting: 'starting',
  running: 'running',
  draining: 'stopping',
  failed: 'failed',
}

export function trayStateOf(pipeline: PipelineState, activeAlerts: number): TrayState {
  if (activeAlerts > 0 || pipeline === 'failed') return 'alert'
  return pipeline === 'stopped' ? 'stopped' : 'running'
}

/** The state line, also the tooltip where the platform shows one (an app indicator does not). */
export function trayLabel(pipeline: PipelineState, activeAlerts: number): string {
  const alerts = activeAlerts === 1 ? ', 1 alert' : activeAlerts > 1 ? `, ${activeAlerts} alerts` : ''
  return `Tickflow: ${STATE_WORDS[pipeline]}${alerts}`
}

/**
 * The menu. Every action lives here: a Linux app indicator shows only with a menu and ignores
 * clicks on the icon. It shows no tooltip either, so the first line says the state.
 */
export function trayMenu(
  pipeline: PipelineState,
  activeAlerts: number,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  const runs = pipeline === 'starting' || pipeline === 'running'
  return [
    { label: trayLabel(pipeline, activeAlerts), enabled: false },
    { type: 'separator' },
    { label: 'Open Tickflow', click: () => actions.open() },
    runs
      ? { label: 'Stop', click: () => actions.stop() }
      : { label: 'Start', enabled: pipeline !== 'draining', click: () => actions.start() },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ]
}

/** What tells a menu apart from the last one: a changed item counts only once the menu is set again. */
const menuKey = (items: MenuItemConstructorOptions[]): string =>
  items.map((i) => `${i.type ?? 'normal'}:${i.label ?? ''}:${String(i.enabled ?? true)}`).join('|')

export interface TrayController {
  /** a pipeline status arrived (the core's `status` event) */
  status(state: PipelineState): void
  /** an alert rose, changed or cleared (the core's `alert` event) */
  alert(alert: Alert): void
  destroy(): void
}

/**
 * The tray icon and its menu, kept in step with the core's events: the image changes with the
 * state, and the menu is built and set again whenever one of its items would read differently.
 */
export function createTray(pieces: TrayPieces, actions: TrayActions): TrayController {
  let pipeline: PipelineState = 'stopped'
  const active = new Set<string>()
  let shownState: TrayState = 'stopped'
  let shownMenu = ''
  const tray = pieces.createTray(pieces.image(shownState))

  const render = (): void => {
    const state = trayStateOf(pipeline, active.size)
    if (state !== shownState) {
      tray.setImage(pieces.image(state))
      shownState = state
    }
    const items = trayMenu(pipeline, active.size, actions)
    const key = menuKey(items)
    if (key !== shownMenu) {
      tray.setContextMenu(pieces.buildMenu(items))
      tray.setToolTip(trayLabel(pipeline, active.size))
      shownMenu = key
    }
  }
  render()

  return {
    status(state) {
      pipeline = state
      render()
    },
    alert(a) {
      // A notice is an event, not a condition: it never holds the icon at "alert".
      if (isActive(a)) active.add(a.id)
      else active.delete(a.id)
      render()
    },
    destroy: () => tray.destroy(),
  }
}

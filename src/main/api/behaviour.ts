import type { Behaviour, CommandRequest } from '../../shared/contract'
import { serialize } from '../base/serial'
import type { StoredSettings } from '../settings/schema'
import type { SettingsStore } from '../settings/store'
import { ApiRequestError } from './dispatch'

/** The desktop app's login entry (shell/autostart.ts); browser mode has none. */
export interface Autostart {
  enabled(): Promise<boolean>
  set(on: boolean): Promise<void>
}

export type StartRequest = NonNullable<CommandRequest<'startPipeline'>>

/** How Tickflow behaves around its window and its runs: the settings, and the run to resume. */
export interface BehaviourSettings {
  /** resolves once the autostart entry has been looked at */
  readonly ready: Promise<void>
  current(): Behaviour
  /** saves a change (the store, the autostart entry) and returns the settings as they are now */
  set(req: CommandRequest<'setBehaviour'>): Promise<Behaviour>
  /** a run started: a quit or a crash from here on leaves it to resume */
  recordRun(req: StartRequest): Promise<void>
  /** the user stopped the run: nothing to resume */
  clearRun(): Promise<void>
  /** the Start request to resume with at open, when startOnOpen is on and a run was going */
  resumeRequest(): StartRequest | null
}

export const BEHAVIOUR_DEFAULTS = { closeToTray: true, startOnOpen: false } as const

/** The behaviour settings in a stored document, defaults filled in. */
export function behaviourOf(doc: Readonly<StoredSettings>, openAtLogin: boolean | null): Behaviour {
  return {
    closeToTray: doc.closeToTray ?? BEHAVIOUR_DEFAULTS.closeToTray,
    startOnOpen: doc.startOnOpen ?? BEHAVIOUR_DEFAULTS.startOnOpen,
    openAtLogin,
    notificationsOff: [...(doc.notificationsOff ?? [])],
  }
}

export function createBehaviour(opts: { store?: SettingsStore; autostart?: Autostart }): BehaviourSettings {
  const { store, autostart } = opts
  // The entry on disk is the truth (the user may remove it by hand): read at start and after a change.
  let openAtLogin: boolean | null = autostart ? false : null
  const ready = autostart
    ? autostart.enabled().then(
        (on) => void (openAtLogin = on),
        () => undefined, // unreadable: shown as off, and turning it on says why it fails
      )
    : Promise.resolve()
  const stored = (): Readonly<StoredSettings> => store?.stored() ?? {}
  const current = (): Behaviour => behaviourOf(stored(), openAtLogin)
  const serial = serialize()

  return {
    ready,
    current,
    set: (req) =>
      serial(async () => {
        await ready
        if (req.openAtLogin !== undefined && !autostart)
          throw new ApiRequestError('Open at login is a setting of the desktop app', 'openAtLogin')
        const { openAtLogin: login, ...rest } = req
        await store?.update(rest)
        if (login !== undefined && autostart) {
          await autostart.set(login)
          openAtLogin = await autostart.enabled()
        }
        return current()
      }),
    recordRun: (req) => serial(async () => void (await store?.update({ resumeRun: req }))),
    clearRun: () =>
      serial(async () => {
        if (stored().resumeRun != null) await store?.update({ resumeRun: null })
      }),
    resumeRequest() {
      const { resumeRun } = stored()
      return current().startOnOpen && resumeRun ? resumeRun : null
    },
  }
}

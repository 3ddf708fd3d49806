import { execFile } from 'node:child_process'

/** Runs a command and resolves with its stdout; rejects when it cannot run or fails. */
export type RunCommand = (file: string, args: string[]) => Promise<string>

const WATCHER = 'org.kde.StatusNotifierWatcher'

/** `gdbus` (libglib2.0-bin, on every GNOME desktop) asks the session bus whether anyone hosts tray icons. */
const ASK_BUS = [
  ...['call', '--session', '--timeout', '2', '--dest', 'org.freedesktop.DBus'],
  ...['--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', WATCHER],
]

export const runCommand: RunCommand = (file, args) =>
  new Promise((resolve, reject) =>
    execFile(file, args, { timeout: 3_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  )

/**
 * Whether a tray icon will be seen. Electron's Linux tray is a StatusNotifierItem (an app
 * indicator): it shows only where a StatusNotifierWatcher owns its name on the session bus, such
 * as Ubuntu's AppIndicator extension (enabled by default), KDE, XFCE or Cinnamon. Plain GNOME has
 * none. Without gdbus the desktop's name decides. Windows and macOS always have a tray.
 */
export async function hasTrayHost(
  run: RunCommand = runCommand,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): Promise<boolean> {
  if (platform !== 'linux') return true
  try {
    const reply = await run('gdbus', ASK_BUS)
    return /\(true,?\)/.test(reply)
  } catch {
    if (!env.DBUS_SESSION_BUS_ADDRESS) return false // no session bus: nobody to host an indicator
    const desktop = (env.XDG_CURRENT_DESKTOP ?? '').toLowerCase().split(':')
    return !desktop.includes('gnome') || desktop.includes('ubuntu')
  }
}

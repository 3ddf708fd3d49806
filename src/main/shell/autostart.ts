import { mkdir, readFile, rm } from 'node:fs/promises'
import { dirname, isAbsolute, join } from 'node:path'
import type { Autostart } from '../api/behaviour'
import { writeFileAtomic } from '../base/atomic-file'

/** The argument that starts the app in the tray, its window hidden (Open at login). */
export const HIDDEN_ARG = '--hidden'

/** ~/.config/autostart/tickflow.desktop, or under $XDG_CONFIG_HOME when that is an absolute path. */
export function autostartFile(env: NodeJS.ProcessEnv, home: string): string {
  const config =
    env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(home, '.config')
  return join(config, 'autostart', 'tickflow.desktop')
}

/** How to start this install again: the AppImage file, the installed binary, or Electron with the app. */
export function launchCommand(p: {
  execPath: string
  packaged: boolean
  appPath: string
  appImage?: string | undefined
}): string[] {
  // An AppImage runs from a mount that is gone at the next login: its own file is what starts it.
  if (p.appImage) return [p.appImage]
  return p.packaged ? [p.execPath] : [p.execPath, p.appPath]
}

// The Desktop Entry spec's Exec quoting: an argument with a reserved character goes in double
// quotes, with " ` $ \ escaped inside; the string escape then doubles every backslash again.
const RESERVED = /[\s"'\\><~|&;$*?#()`]/
function execArg(arg: string): string {
  const quoted = RESERVED.test(arg) ? `"${arg.replace(/["`$\\]/g, (c) => `\\${c}`)}"` : arg
  return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%')
}

/** The entry: the login session runs it, and the app starts hidden in the tray. */
export function desktopEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Tickflow',
    'Comment=Keeps collecting trades in the tray (Open at login)',
    `Exec=${[...command, HIDDEN_ARG].map(execArg).join(' ')}`,
    'Icon=tickflow',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n')
}

/** Open at login as the entry file: there (and ours, enabled) is on, absent is off. */
export function fileAutostart(path: string, command: string[]): Autostart {
  return {
    async enabled() {
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null
        throw err
      })
      return text !== null && !/^X-GNOME-Autostart-enabled=false$/m.test(text) && !/^Hidden=true$/m.test(text)
    },
    async set(on) {
      if (!on) return rm(path, { force: true })
      await mkdir(dirname(path), { recursive: true })
      await writeFileAtomic(path, desktopEntry(command), { mode: 0o644 })
    },
  }
}

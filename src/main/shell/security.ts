import { app, session, shell, type Event, type WebContents, type WebPreferences } from 'electron'
import { isAppUrl, isExternalLink, type AppLocation } from './trusted-url'

// The shell's locks in one place, after actualbudget's security.ts: what the page may run, where it
// may go, and what it may ask for. The page needs nothing beyond its own files and the preload's api.

/** The window's web preferences: isolated, sandboxed, no Node and no <webview> in the page. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    navigateOnDragDrop: false,
  }
}

/** Before `ready`: every renderer is sandboxed, even one created without our preferences. */
export function sandboxAllRenderers(): void {
  app.enableSandbox()
}

/** After `ready`: denies permissions and downloads, and guards every web contents made from now on. */
export function installSecurity(trusted: AppLocation): void {
  const ses = session.defaultSession
  // The dashboard uses no camera, notifications, clipboard reads, MIDI, … : refuse them all, both
  // the prompts (request) and the silent queries (check) that some APIs make instead.
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  // Exports go through main's save dialog; a download the page starts is never one of ours.
  ses.on('will-download', (event) => event.preventDefault())
  app.on('web-contents-created', (_event, contents) => guardContents(contents, trusted))
}

/** One web contents' guards: no new windows, no navigation off the app, no webviews. */
export function guardContents(contents: WebContents, trusted: AppLocation): void {
  contents.setWindowOpenHandler(({ url }) => {
    // A link to the web opens in the user's browser, never in a window of ours.
    if (isExternalLink(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  const stayHome = (event: Event<{ url: string; isMainFrame: boolean }>): void => {
    if (!(event.isMainFrame && isAppUrl(event.url, trusted))) event.preventDefault()
  }
  contents.on('will-navigate', stayHome)
  contents.on('will-frame-navigate', stayHome)
  contents.on('will-redirect', stayHome)
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

import { beforeAll, describe, expect, it, vi } from 'vitest'

// The desktop face's boot order, with Electron and the services mocked: the window opens (and
// its client connects) once PostgreSQL is ready, while the managed broker is still starting.
const h = vi.hoisted(() => ({
  order: [] as string[],
  brokerAnswered: false,
}))

vi.mock('electron', () => ({
  app: {
    whenReady: async () => undefined,
    getPath: () => '/tmp/tickflow-shell-test',
    getAppPath: () => '/opt/tickflow',
    isPackaged: true,
    on: vi.fn(),
    exit: vi.fn(),
  },
  dialog: { showErrorBox: vi.fn((title: string, msg: string) => h.order.push(`error: ${title}: ${msg}`)) },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  protocol: {},
  Menu: {},
  nativeImage: {},
  Notification: {},
  Tray: vi.fn(),
}))
// The shell's other parts, as far as its boot touches them.
vi.mock('./app-protocol', () => ({ registerAppScheme: vi.fn(), serveAppScheme: vi.fn() }))
vi.mock('./autostart', () => ({
  HIDDEN_ARG: '--hidden',
  autostartFile: vi.fn(),
  fileAutostart: vi.fn(),
  launchCommand: vi.fn(),
}))
vi.mock('./chart-image', () => ({ copyPngToClipboard: vi.fn(), pngSaver: vi.fn() }))
vi.mock('./close-to-tray', () => ({ closeToTray: vi.fn() }))
vi.mock('./replay-dialog', () => ({ openDialogChooser: vi.fn() }))
vi.mock('./notifications', () => ({ alertNotifier: vi.fn() }))
vi.mock('./tray', () => ({ createTray: vi.fn() }))
vi.mock('./tray-host', () => ({ hasTrayHost: async () => false }))
vi.mock('./security', () => ({ installSecurity: vi.fn(), sandboxAllRenderers: vi.fn() }))
vi.mock('./secret-cipher', () => ({ safeStorageCipher: () => ({}) }))
vi.mock('./lifecycle', () => ({
  claimSingleInstance: () => true,
  drainOnQuit: vi.fn(),
  focusWindow: vi.fn(),
}))
vi.mock('./ipc', () => ({ WINDOW_CLIENT: 'window', registerIpc: vi.fn(), pushEvent: vi.fn() }))
vi.mock('./export-dialog', () => ({ saveDialogChooser: vi.fn() }))
vi.mock('./window-state', async (original) => ({
  ...(await original<typeof import('./window-state')>()),
  readWindowState: async () => ({ width: 1280, height: 860, maximized: false }),
  writeWindowState: vi.fn(),
}))
vi.mock('./window', () => ({
  createMainWindow: vi.fn(() => {
    h.order.push(`window opens${h.brokerAnswered ? '' : ' (broker still starting)'}`)
    return { on: vi.fn() }
  }),
  persistWindowState: () => async () => undefined,
}))
vi.mock('../settings/store', () => ({
  openSettingsStore: async () => ({ warnings: [], settings: () => ({}), stored: () => ({}) }),
}))
vi.mock('../log/logger', () => ({
  openLog: async () => null,
  appLog: () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }),
}))
vi.mock('../services', () => {
  const never = new Promise<never>(() => undefined) // the JVM of this test never answers
  const services = { broker: { ready: () => never, state: () => ({ state: 'starting', detail: null }) } }
  return {
    // What waits for the broker as well must not be what the window waits for.
    createServices: vi.fn(() => never),
    startServices: vi.fn(async () => {
      h.order.push('PostgreSQL ready')
      return services
    }),
  }
})
vi.mock('../api/handlers', () => ({
  createCore: vi.fn(() => ({
    connect: vi.fn((id: string) => h.order.push(`${id} client connected`)),
    startOnOpen: vi.fn(async () => undefined),
    shutdown: vi.fn(),
  })),
}))

describe('the desktop face', () => {
  beforeAll(async () => {
    await import('./index')
    await vi.waitFor(() => expect(h.order.join(' | ')).toContain('window opens'), {
      timeout: 5_000,
    })
  })

  it('opens its window once PostgreSQL is ready, without waiting for the broker', () => {
    expect(h.order).toEqual([
      'PostgreSQL ready',
      'window client connected',
      'shell client connected',
      'window opens (broker still starting)',
    ])
  })
})

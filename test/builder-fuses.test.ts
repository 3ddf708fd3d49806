// The fuses electron-builder flips in the packaged binary (electron-builder.yml's electronFuses),
// read and checked the way `npm run dist` reads them: electron-builder's loader and schema.
import { beforeAll, describe, expect, it } from 'vitest'
import { loadBuilderConfig, validateBuilderConfig } from './helpers/builder-config'

let config: Record<string, unknown>
// electron-builder's loader and schema take seconds to load on a busy machine: once for the file.
beforeAll(async () => {
  config = await loadBuilderConfig()
}, 60_000)

describe('electron-builder.yml electronFuses', () => {
  it("turns off Node-as-app, NODE_OPTIONS, --inspect and file:'s privileges, and loads only app.asar", () => {
    const fuses = config.electronFuses as Record<string, boolean>
    expect(fuses.runAsNode).toBe(false)
    expect(fuses.enableNodeOptionsEnvironmentVariable).toBe(false)
    expect(fuses.enableNodeCliInspectArguments).toBe(false)
    expect(fuses.onlyLoadAppFromAsar).toBe(true)
    // Off: the window loads app://tickflow/ (shell/app-protocol.ts), not a file: page.
    expect(fuses.grantFileProtocolExtraPrivileges).toBe(false)
    // Linux binaries carry no archive hash to validate against (see the comment in the yml).
    expect(fuses.enableEmbeddedAsarIntegrityValidation).toBe(false)
    expect(Object.keys(fuses).sort()).toEqual([
      'enableEmbeddedAsarIntegrityValidation',
      'enableNodeCliInspectArguments',
      'enableNodeOptionsEnvironmentVariable',
      'grantFileProtocolExtraPrivileges',
      'onlyLoadAppFromAsar',
      'runAsNode',
    ])
    // onlyLoadAppFromAsar with no archive would leave the binary nothing to load.
    expect(config.asar).not.toBe(false)
  })

  it('is checked by the schema: a misspelt fuse or a non-boolean value is refused', async () => {
    const fuses = config.electronFuses as Record<string, boolean>
    await expect(
      validateBuilderConfig({ ...config, electronFuses: { ...fuses, runAsNod: false } }),
    ).rejects.toThrow(/configuration\.electronFuses/)
    await expect(
      validateBuilderConfig({ ...config, electronFuses: { ...fuses, runAsNode: 'no' } }),
    ).rejects.toThrow(/configuration\.electronFuses/)
  })
})

describe('electron-builder.yml deb depends', () => {
  it("keeps electron-builder's defaults, and adds Java and the tray's app indicator library", () => {
    const depends = (config.deb as { depends: string[] }).depends
    expect(depends).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libnotify4']))
    expect(depends).toContain('libayatana-appindicator3-1 | libappindicator3-1')
    expect(depends.some((d) => d.includes('openjdk-17-jre-headless'))).toBe(true)
  })
})

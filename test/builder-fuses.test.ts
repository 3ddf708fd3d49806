// The fuses electron-builder flips in the packaged binary (electron-builder.yml's electronFuses),
// read and checked the way `npm run dist` reads them: electron-builder's loader and schema.
import { beforeAll, describe, expect, it } from 'vitest'
import { loadBuilderConfig, validateBuilderConfig } from './helpers/builder-config'

describe('electron-builder.yml electronFuses', () => {
  let config: Record<string, unknown>
  // electron-builder's loader and schema take seconds to load on a busy machine.
  beforeAll(async () => {
    config = await loadBuilderConfig()
  }, 60_000)

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

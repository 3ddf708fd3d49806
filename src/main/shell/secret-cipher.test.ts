import { beforeEach, describe, expect, it, vi } from 'vitest'
import { safeStorageCipher } from './secret-cipher'

// Electron's binary is not here: safeStorage is a stand-in with a reversible "encryption".
const safeStorage = vi.hoisted(() => ({
  isEncryptionAvailable: vi.fn(() => true),
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  encryptString: vi.fn((s: string) => Buffer.from([...s].reverse().join(''))),
  decryptString: vi.fn((b: Buffer) => [...b.toString()].reverse().join('')),
}))
vi.mock('electron', () => ({ safeStorage }))

describe('safeStorageCipher', () => {
  beforeEach(() => {
    safeStorage.isEncryptionAvailable.mockReturnValue(true)
    safeStorage.getSelectedStorageBackend.mockReturnValue('gnome_libsecret')
  })

  it('encrypts through safeStorage when the OS keyring is there, and says nothing', () => {
    const { cipher, warning } = safeStorageCipher()
    expect(warning).toBeUndefined()
    const sealed = cipher!.encryptString('the-token')
    expect(sealed.toString()).not.toContain('the-token')
    expect(cipher!.decryptString(sealed)).toBe('the-token')
  })

  it('gives no cipher and a warning without encryption: the file mode is then the guard', () => {
    safeStorage.isEncryptionAvailable.mockReturnValue(false)
    const { cipher, warning } = safeStorageCipher()
    expect(cipher).toBeUndefined()
    expect(warning).toMatch(/mode 600/)
  })

  it.runIf(process.platform === 'linux')('warns when Linux has only the fixed-key backend', () => {
    safeStorage.getSelectedStorageBackend.mockReturnValue('basic_text')
    const { cipher, warning } = safeStorageCipher()
    expect(cipher).toBeDefined()
    expect(warning).toMatch(/fixed key/)
  })
})

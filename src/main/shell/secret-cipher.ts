import { safeStorage } from 'electron'
import type { StringCipher } from '../settings/secret-box'

/**
 * The OS keyring behind Electron's safeStorage, for the settings store's secrets. On Linux without
 * a keyring safeStorage falls back to a fixed key ('basic_text'): that is no protection, so the
 * file's mode 600 stays the guard and the user is told.
 */
export function safeStorageCipher(): { cipher?: StringCipher; warning?: string } {
  if (!safeStorage.isEncryptionAvailable()) {
    return { warning: 'no OS keyring: secrets are kept in a file only you can read (mode 600)' }
  }
  const cipher: StringCipher = {
    name: 'Electron safeStorage',
    encryptString: (plain) => safeStorage.encryptString(plain),
    decryptString: (encrypted) => safeStorage.decryptString(encrypted),
  }
  const weak = process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text'
  return weak
    ? { cipher, warning: 'no OS keyring: secrets are encrypted with a fixed key only; the file is mode 600' }
    : { cipher }
}

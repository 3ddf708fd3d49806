import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openSecretBox, type StringCipher } from './secret-box'

// Stands in for Electron's safeStorage: reversible, and never the plain text in its output.
const fakeCipher: StringCipher = {
  name: 'fake cipher',
  encryptString: (plain) => Buffer.from(`fake:${[...plain].reverse().join('')}`),
  decryptString: (bytes) => {
    const text = bytes.toString()
    if (!text.startsWith('fake:')) throw new Error('not ours')
    return [...text.slice(5)].reverse().join('')
  },
}

const TOKEN = 'tok-4f9a-secret'

describe('the secret box', () => {
  let dir: string
  let path: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-secrets-'))
    path = join(dir, 'secrets.json')
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('keeps values in a plain mode 600 file across opens, and forgets them on null', async () => {
    const { box } = await openSecretBox(path)
    expect(box.protection).toBe('plain file')
    await box.set({ finnhubToken: TOKEN, databasePassword: 'p@ss' })
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      finnhubToken: { encrypted: false, value: TOKEN },
      databasePassword: { encrypted: false, value: 'p@ss' },
    })
    const again = await openSecretBox(path)
    expect(again.warnings).toEqual([])
    expect(again.box.get('finnhubToken')).toBe(TOKEN)
    await again.box.set({ finnhubToken: null })
    expect((await openSecretBox(path)).box.get('finnhubToken')).toBeUndefined()
    expect((await openSecretBox(path)).box.get('databasePassword')).toBe('p@ss')
  })

  it('round-trips through a cipher, base64 in the file and marked as encrypted', async () => {
    const { box } = await openSecretBox(path, { cipher: fakeCipher })
    await box.set({ finnhubToken: TOKEN })
    const text = await readFile(path, 'utf8')
    expect(text).not.toContain(TOKEN)
    const entry = JSON.parse(text).finnhubToken
    expect(entry.encrypted).toBe(true)
    expect(fakeCipher.decryptString(Buffer.from(entry.value, 'base64'))).toBe(TOKEN)
    const again = await openSecretBox(path, { cipher: fakeCipher })
    expect(again.box.protection).toBe('fake cipher')
    expect(again.box.get('finnhubToken')).toBe(TOKEN)
  })

  it('leaves what a face cannot decrypt in the file, and says so', async () => {
    await (await openSecretBox(path, { cipher: fakeCipher })).box.set({ finnhubToken: TOKEN })
    // A plain-Node face (the CLI) on the desktop app's data dir:
    const cli = await openSecretBox(path)
    expect(cli.box.get('finnhubToken')).toBeUndefined()
    expect(cli.warnings.join()).toMatch(/Finnhub token .* encrypted by the desktop app/)
    await cli.box.set({ kafkaSaslPassword: 'kpw' })
    const app = await openSecretBox(path, { cipher: fakeCipher })
    expect(app.box.get('finnhubToken')).toBe(TOKEN)
    expect(app.box.get('kafkaSaslPassword')).toBe('kpw')

    const otherKey: StringCipher = {
      ...fakeCipher,
      decryptString: () => {
        throw new Error('key changed')
      },
    }
    const broken = await openSecretBox(path, { cipher: otherKey })
    expect(broken.box.get('finnhubToken')).toBeUndefined()
    expect(broken.warnings.join()).toMatch(/cannot be decrypted/)
    expect(broken.warnings.join()).not.toContain(TOKEN)
  })

  it('warns when others can read a file of plain secrets', async () => {
    await (await openSecretBox(path)).box.set({ finnhubToken: TOKEN })
    await chmod(path, 0o644)
    const { warnings } = await openSecretBox(path)
    expect(warnings).toEqual([`${path} holds secrets and others can read it: chmod 600 ${path}`])
  })

  it('moves a corrupt file aside without repeating what it held', async () => {
    await writeFile(path, `{"finnhubToken": {"encrypted": false, "value": "${TOKEN}"`, { mode: 0o600 })
    const { box, warnings } = await openSecretBox(path)
    expect(box.get('finnhubToken')).toBeUndefined()
    expect(warnings.join('\n')).toMatch(/not valid JSON.*moved it to secrets\.json\.bad-\d{8}T\d{6}\.\d{3}Z/)
    expect(warnings.join('\n')).toMatch(/must be set again/)
    expect(warnings.join('\n')).not.toContain(TOKEN)
    const [aside] = (await readdir(dir)).filter((f) => f.startsWith('secrets.json.bad-'))
    expect((await stat(join(dir, aside!))).mode & 0o777).toBe(0o600)
  })
})

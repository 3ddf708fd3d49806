import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../src/main/kafka/broker/broker-launch'

// postinstall runs Electron's own install step and must never fail `npm ci` for want of GitHub.
// The step runs for real against a copy of the electron package, pointed at a closed local port.
const script = 'scripts/electron-binary.mjs'
const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
const made: string[] = []
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** A copy of the electron package with no binary, inside node_modules so its requires resolve. */
async function electronCopy(): Promise<string> {
  const dir = await mkdtemp(join(dirname(electronDir), '.tickflow-electron-test-'))
  made.push(dir)
  for (const f of ['install.js', 'package.json', 'checksums.json'])
    await copyFile(join(electronDir, f), join(dir, f))
  return dir
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env, timeout: 60_000 }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    )
  })
}

describe('electron-binary.mjs', () => {
  it('install: a failed download costs the desktop window, not the install, and says so in words', async () => {
    const dir = await electronCopy()
    const cache = await mkdtemp(join(tmpdir(), 'tickflow-electron-cache-'))
    made.push(cache)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ELECTRON_MIRROR: `http://127.0.0.1:${await freePort()}/`,
      electron_config_cache: cache,
    }
    delete env['ELECTRON_SKIP_BINARY_DOWNLOAD']
    const { code, out } = await run(['install', dir], env)
    expect(code).toBe(0)
    expect(out).toMatch(/Electron's binary could not be downloaded \(.*ECONNREFUSED.*\)/)
    expect(out).toContain('the desktop window is unavailable')
    expect(out).toContain('npm run electron:install')

    // The strict form, for a user who asks for the binary, fails instead.
    const strict = await run(['install-strict', dir], env)
    expect(strict.code).toBe(1)
    expect(strict.err).toContain('ECONNREFUSED')
  })

  it('install: ELECTRON_SKIP_BINARY_DOWNLOAD skips the download and says what that costs', async () => {
    const dir = await electronCopy()
    const { code, out } = await run(['install', dir], { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })
    expect(code).toBe(0)
    expect(out).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD is set, so the desktop window is unavailable')
  })

  it('check: names what is missing before dev or start, and passes once the binary is there', async () => {
    const dir = await electronCopy()
    const missing = await run(['check', dir], process.env)
    expect(missing.code).toBe(1)
    expect(missing.err).toContain("the desktop window cannot open: Electron's binary was never downloaded")
    expect(missing.err).toContain('npm run serve')

    await writeFile(join(dir, 'path.txt'), 'electron')
    expect((await run(['check', dir], process.env)).err).toMatch(/dist\/electron is missing/)
    await mkdir(join(dir, 'dist'))
    await writeFile(join(dir, 'dist', 'electron'), '')
    expect(await run(['check', dir], process.env)).toMatchObject({ code: 0, err: '' })
  })
})

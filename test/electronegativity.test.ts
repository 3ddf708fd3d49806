import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

// npm run lint:electron fails on a finding electronegativity.json does not explain. The wrapper
// runs for real, electronegativity and all, over a small project of its own.
const script = resolve('scripts/electronegativity.mjs')
const made: string[] = []
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true })
})

// A window with no navigation limits, no CSP and no permission handler: electronegativity finds
// AUXCLICK_JS_CHECK in the file, and three global checks with no file ("N/A").
const WINDOW = `const { BrowserWindow } = require('electron')
new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true } })
`
const GLOBAL = [
  'CSP_GLOBAL_CHECK',
  'LIMIT_NAVIGATION_GLOBAL_CHECK',
  'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK',
]

async function project(files: Record<string, string>, explained: Record<string, string[]>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'tickflow-electronegativity-test-'))
  made.push(root)
  const config = {
    sources: ['src'],
    excludeChecks: { AvailableSecurityFixesGlobalCheck: 'needs GitHub' },
    explained: Object.fromEntries(
      Object.entries(explained).map(([check, f]) => [check, { why: 'test', files: f }]),
    ),
  }
  await writeFile(join(root, 'package.json'), JSON.stringify({ devDependencies: { electron: '^41.7.1' } }))
  await writeFile(join(root, 'electronegativity.json'), JSON.stringify(config))
  await mkdir(join(root, 'src'))
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, 'src', name), text)
  return root
}

function run(root: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [script, root], { timeout: 90_000 }, (error, out, err) =>
      done({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    )
  })
}

const globalsExplained = Object.fromEntries(GLOBAL.map((c) => [c, ['N/A']]))

describe('electronegativity.mjs', () => {
  it('passes when each finding is explained, skipping test files, with the Electron of package.json', async () => {
    // The test file's window would be a finding of its own if tests were scanned.
    const root = await project(
      { 'window.js': WINDOW, 'window.test.ts': WINDOW },
      { ...globalsExplained, AUXCLICK_JS_CHECK: ['src/window.js'] },
    )
    const r = await run(root)
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/Electron 41\.7\.1\): 4 findings, each explained/)
  }, 120_000)

  it('fails on a finding in a file its check is not explained for, and on an explanation found nowhere', async () => {
    const root = await project(
      { 'window.js': WINDOW, 'second.js': WINDOW },
      { ...globalsExplained, AUXCLICK_JS_CHECK: ['src/window.js'], OPEN_EXTERNAL_JS_CHECK: ['src/gone.js'] },
    )
    const r = await run(root)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/unexplained AUXCLICK_JS_CHECK at src\/second\.js:2:0/)
    expect(r.err).not.toMatch(/src\/window\.js/)
    expect(r.err).toMatch(/OPEN_EXTERNAL_JS_CHECK in src\/gone\.js is explained but no longer found/)
  }, 120_000)
})

#!/usr/bin/env node
// Electron's desktop binary comes from GitHub, not from the npm registry. Its own install step is
// off in package.json's allowScripts so that a machine that reaches only the registry still
// installs; this script runs that step instead and lets it fail with one line of explanation.
//   node scripts/electron-binary.mjs install   postinstall: fetch the binary, never fail npm ci
//   node scripts/electron-binary.mjs check     before dev/start: say in words what is missing
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
// A download that hangs (a network that drops packets) must not hold npm ci for ever.
const INSTALL_LIMIT_MS = 180_000

function electronDir() {
  try {
    return dirname(require.resolve('electron/package.json'))
  } catch {
    return undefined // electron is a devDependency: absent after `npm ci --omit=dev`
  }
}

/** The binary's path if Electron's install step left one, else why not. */
export function binaryState(dir) {
  if (!dir) return { ok: false, why: 'the electron package is not installed' }
  const pathFile = join(dir, 'path.txt')
  if (!existsSync(pathFile)) return { ok: false, why: "Electron's binary was never downloaded" }
  const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(binary)) return { ok: false, why: `${binary} is missing` }
  return { ok: true, binary }
}

function runInstall(dir) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, 'install.js')], {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      stderr += `no answer within ${INSTALL_LIMIT_MS / 1000} s`
      child.kill('SIGKILL')
    }, INSTALL_LIMIT_MS)
    child.on('error', (err) => {
      clearTimeout(timer)
      resolve({ code: 1, stderr: err.message })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? 1, stderr })
    })
  })
}

/** The one line that names the cause, e.g. "getaddrinfo ENOTFOUND github.com". */
export function firstCause(stderr) {
  const lines = stderr.split('\n').map((l) => l.trim())
  return (
    lines.find((l) => /ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|HTTPError|\d{3}/.test(l)) ??
    lines.find((l) => l.length > 0) ??
    'no reason given'
  ).slice(0, 200)
}

const UNAVAILABLE =
  'the desktop window is unavailable; the dashboard (npm run serve), the pipeline and the tests work.'
const RETRY = 'When this machine can reach GitHub, run `npm run electron:install`.'

// The electron package's folder is an argument only so that a test can point at a copy.
async function install(dir = electronDir()) {
  if (!dir) return
  if (binaryState(dir).ok) return
  if (process.env['ELECTRON_SKIP_BINARY_DOWNLOAD']) {
    console.log(`tickflow: ELECTRON_SKIP_BINARY_DOWNLOAD is set, so ${UNAVAILABLE}`)
    return
  }
  const { code, stderr } = await runInstall(dir)
  const state = binaryState(dir)
  if (code === 0 && state.ok) return
  console.log(
    `tickflow: Electron's binary could not be downloaded (${firstCause(stderr)}), so ${UNAVAILABLE}`,
  )
  console.log(`tickflow: ${RETRY}`)
}

async function installStrict(dir = electronDir()) {
  if (!dir) throw new Error('the electron package is not installed: run npm ci first')
  const { code, stderr } = await runInstall(dir)
  if (code !== 0 || !binaryState(dir).ok) {
    console.error(`tickflow: Electron's binary could not be downloaded: ${firstCause(stderr)}`)
    process.exit(1)
  }
}

function check(dir = electronDir()) {
  const state = binaryState(dir)
  if (state.ok) return
  console.error(`tickflow: the desktop window cannot open: ${state.why}.`)
  console.error(`tickflow: ${RETRY} Meanwhile \`npm run serve\` shows the same dashboard in a browser.`)
  process.exit(1)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, dir] = process.argv.slice(2)
  if (command === 'install') await install(dir)
  else if (command === 'install-strict') await installStrict(dir)
  else if (command === 'check') check(dir)
  else {
    console.error('usage: electron-binary.mjs install | install-strict | check [electron package dir]')
    process.exit(2)
  }
}

#!/usr/bin/env node
// npm run lint:electron: Electronegativity over the Electron sources, failing on any finding that
// electronegativity.json does not explain, and on any explanation that no longer matches a finding.
// Electronegativity's own CLI exits 0 whatever it finds, so its JavaScript API is used instead.
//   node scripts/electronegativity.mjs [repo root]   (the root is an argument only for the tests)
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire, Module } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const RUNNER = require.resolve('@doyensec/electronegativity')

/**
 * Electronegativity fetches its message catalogue from S3 before every run (and Node 24 crashes on
 * got's retry timer when that fails offline). Its catalogue ships in the package: this module stands
 * in for the fetching one and configures the same i18n from the shipped files, so a run needs no
 * network.
 */
function offlineMessages() {
  const file = join(dirname(RUNNER), 'locales', 'i18n.js')
  const i18n = createRequire(file)('i18n')
  const stub = new Module(file)
  stub.filename = file
  stub.loaded = true
  stub.exports = async () => {
    i18n.configure({
      locales: ['en-US'],
      defaultLocale: 'en-US',
      directory: dirname(file),
      updateFiles: false,
      objectNotation: true,
      retryInDefaultLocale: true,
      register: globalThis,
    })
    i18n.setLocale('en-US')
  }
  require.cache[file] = stub
}

/** The Electron version electronegativity assumes: package.json's electron devDependency, floored. */
function electronVersion(pkg) {
  const range = pkg.devDependencies?.electron ?? pkg.dependencies?.electron
  const version = range?.match(/\d+\.\d+\.\d+/)?.[0]
  if (!version) throw new Error(`package.json names no electron version (${range ?? 'none'})`)
  return version
}

const isTest = (src) => /\.test\.tsx?$/.test(src)

/** Findings, each as "CHECK_ID path/from/root:line:column". */
async function scan(root, config, version) {
  // One scan over a copy without the tests: its global checks (navigation limits, CSP, permission
  // handler) weigh the findings of all files together, and tests build insecure windows on purpose.
  const dir = await mkdtemp(join(tmpdir(), 'tickflow-electronegativity-'))
  try {
    for (const source of config.sources)
      await cp(join(root, source), join(dir, source), { recursive: true, filter: (src) => !isTest(src) })
    offlineMessages()
    const run = require(RUNNER)
    const result = await run({
      input: dir,
      isRelative: true,
      excludeFromScan: Object.keys(config.excludeChecks ?? {}).map((c) => c.toLowerCase()),
      electronVersionOverride: version,
    })
    const broken = result.errors.filter((e) => !e.tolerable)
    if (broken.length > 0)
      throw new Error(
        `electronegativity could not parse: ${broken.map((e) => `${e.file}: ${e.message}`).join('; ')}`,
      )
    return result.issues.map((i) => ({
      check: i.id,
      file: i.file,
      at: `${i.location.line}:${i.location.column}`,
    }))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** What the config does not explain, and what it explains that was not found. */
function judge(findings, explained) {
  const isExplained = (f) => explained[f.check]?.files?.includes(f.file)
  const unexplained = findings.filter((f) => !isExplained(f))
  const stale = Object.entries(explained).flatMap(([check, e]) =>
    e.files
      .filter((file) => !findings.some((f) => f.check === check && f.file === file))
      .map((file) => ({ check, file })),
  )
  return { unexplained, stale }
}

async function main(root) {
  const config = JSON.parse(await readFile(join(root, 'electronegativity.json'), 'utf8'))
  // An explanation is its reason: a check skipped or a finding accepted without one is refused.
  const reasons = [
    ...Object.entries(config.excludeChecks ?? {}),
    ...Object.entries(config.explained ?? {}).map(([check, e]) => [check, e.why]),
  ]
  const bare = reasons.filter(([, why]) => typeof why !== 'string' || why.trim() === '').map(([c]) => c)
  if (bare.length > 0) {
    console.error(`electronegativity.json: no reason given for ${bare.join(', ')}`)
    process.exit(1)
  }
  const version = electronVersion(JSON.parse(await readFile(join(root, 'package.json'), 'utf8')))
  const findings = await scan(root, config, version)
  const { unexplained, stale } = judge(findings, config.explained ?? {})
  for (const f of unexplained) console.error(`electronegativity: unexplained ${f.check} at ${f.file}:${f.at}`)
  for (const s of stale)
    console.error(`electronegativity: ${s.check} in ${s.file} is explained but no longer found`)
  if (unexplained.length > 0)
    console.error('electronegativity: fix each, or say in electronegativity.json why it does not apply')
  if (unexplained.length + stale.length > 0) process.exit(1)
  console.log(
    `electronegativity (Electron ${version}): ${findings.length} findings, each explained in electronegativity.json`,
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(resolve(process.argv[2] ?? '.'))

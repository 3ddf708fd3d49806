import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

// The layer rules of DESIGN.md live in eslint.config.js (eslint-plugin-boundaries); this proves
// they bite. Each snippet is linted as if it sat at the given path, and imports a real file: an
// import that does not resolve is no element at all, and no rule would see it.
const eslint = new ESLint()

async function layerErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as m from '${source}'\nexport const a = m\n`, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message)
}

// The first lint loads the config, the plugins and the TypeScript parser: seconds on a busy machine.
beforeAll(() => layerErrors('src/shared/x.ts', './symbols'), 60_000)

describe('only the shell and the preload import electron', () => {
  it.each([
    'src/main/pipeline/x.ts',
    'src/main/kafka/x.ts',
    'src/main/postgres/x.ts',
    'src/main/kpi/x.ts',
    'src/main/x.ts',
    'src/main/api/x.ts',
    'src/main/server/x.ts',
    'src/main/cli.ts',
    'src/shared/x.ts',
    'src/renderer/src/x.ts',
  ])('%s may not', async (file) => {
    expect(await layerErrors(file, 'electron')).toEqual([
      'Only the Electron shell (src/main/shell) and the preload import electron.',
    ])
  })

  it.each(['src/main/shell/x.ts', 'src/preload/x.ts'])('%s may', async (file) => {
    expect(await layerErrors(file, 'electron')).toEqual([])
  })
})

describe('the pipeline imports neither the API, the faces nor the shell', () => {
  it.each([
    ['src/main/pipeline/x.ts', '../api/handlers'],
    ['src/main/pipeline/x.ts', '../server/auth'],
    ['src/main/pipeline/x.ts', '../face'],
    ['src/main/pipeline/x.ts', '../serve'],
    ['src/main/pipeline/x.ts', '../shell/trusted-url'],
    // a service beside the face files, in the same folder
    ['src/main/x.ts', './export-cli'],
    ['src/main/kpi/x.ts', '../api/dispatch'],
  ])('%s may not import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toHaveLength(1)
  })

  it.each([
    ['src/main/pipeline/x.ts', '../kafka/client'],
    ['src/main/pipeline/x.ts', '../../shared/trade'],
    ['src/main/pipeline/x.ts', 'kafkajs'],
    ['src/main/pipeline/x.ts', 'node:fs'],
  ])('%s may import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([])
  })
})

describe('data flows down: face, api, services, shared', () => {
  it.each([
    ['src/main/api/x.ts', '../server/auth'],
    ['src/main/api/x.ts', '../shell/ipc'],
    ['src/main/server/x.ts', '../shell/ipc'],
    ['src/main/shell/x.ts', '../server/auth'],
    ['src/main/shell/x.ts', '../cli'],
    ['src/main/shell/x.ts', '../../renderer/src/api/ws-client'],
  ])('%s may not import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toHaveLength(1)
  })

  it.each([
    ['src/main/shell/x.ts', '../api/handlers'],
    ['src/main/shell/x.ts', '../services'],
    ['src/main/shell/x.ts', '../../shared/channels'],
    ['src/main/cli.ts', './api/handlers'],
    ['src/main/serve.ts', './face'],
    ['src/main/server/x.ts', '../face'],
    ['src/main/api/x.ts', '../pipeline/pipeline'],
  ])('%s may import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([])
  })
})

describe('shared imports nothing of ours', () => {
  it.each(['../main/config', '../renderer/src/api/ws-client', '../preload/index', 'node:fs'])(
    'src/shared/x.ts may not import %s',
    async (source) => {
      expect(await layerErrors('src/shared/x.ts', source)).toHaveLength(1)
    },
  )

  it('its tests, which run under Node, may use Node', async () => {
    expect(await layerErrors('src/shared/x.test.ts', 'node:fs')).toEqual([])
  })
})

describe('the renderer imports only shared, and the preload only shared', () => {
  it.each([
    ['src/renderer/src/x.ts', '../../main/config'],
    ['src/renderer/src/x.ts', '../../preload/index'],
    ['src/renderer/src/x.ts', 'node:fs'],
    ['src/preload/x.ts', '../main/api/handlers'],
    ['src/preload/x.ts', '../renderer/src/api/ws-client'],
  ])('%s may not import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toHaveLength(1)
  })

  it.each([
    ['src/renderer/src/x.ts', '../../shared/symbols'],
    ['src/renderer/src/x.ts', 'echarts/core'],
    ['src/preload/x.ts', '../shared/channels'],
  ])('%s may import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([])
  })
})

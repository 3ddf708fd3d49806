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
    // the aliases are files, not packages, to the rules
    ['src/main/x.ts', '@renderer/api/ws-client'],
    ['src/shared/x.ts', '@renderer/api/ws-client'],
  ])('%s may not import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toHaveLength(1)
  })

  it.each([
    ['src/renderer/src/x.ts', '../../shared/symbols'],
    ['src/renderer/src/x.ts', '@shared/symbols'],
    ['src/renderer/src/x.ts', '@renderer/api/ws-client'],
    ['src/renderer/src/x.ts', 'echarts/core'],
    ['src/preload/x.ts', '../shared/channels'],
  ])('%s may import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([])
  })
})

describe('base imports nothing of ours', () => {
  it.each([
    '../log/logger',
    '../supervise/pid-lock',
    '../pipeline/pipeline',
    '../config',
    '../../shared/status',
  ])('src/main/base/x.ts may not import %s', async (source) => {
    expect(await layerErrors('src/main/base/x.ts', source)).toHaveLength(1)
  })

  it.each([
    ['src/main/base/x.ts', './emitter'],
    ['src/main/base/x.ts', 'node:fs'],
    ['src/main/log/x.ts', '../base/emitter'],
    ['src/main/kpi/x.ts', '../base/emitter'],
    ['src/main/shell/x.ts', '../base/time-limit'],
    ['src/main/cli.ts', './base/data-dirs'],
  ])('%s may import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([])
  })
})

// One element per folder of main: a lower layer may not import a higher one, nor a domain a
// domain it does not use today.
describe('each folder of main imports only the layers below it', () => {
  it.each([
    ['src/main/log/x.ts', '../kafka/client'],
    ['src/main/supervise/x.ts', '../kafka/client'],
    ['src/main/kafka/x.ts', '../pipeline/pipeline'],
    ['src/main/kafka/x.ts', '../postgres/database'],
    ['src/main/postgres/x.ts', '../pipeline/pipeline'],
    ['src/main/postgres/x.ts', '../kpi/snapshot'],
    ['src/main/pipeline/x.ts', '../kpi/snapshot'],
    ['src/main/pipeline/x.ts', '../settings/store'],
    ['src/main/kpi/x.ts', '../postgres/thresholds'],
    ['src/main/kpi/x.ts', '../pipeline/pipeline'],
    ['src/main/alerts/x.ts', '../kpi/snapshot-hub'],
    ['src/main/export/x.ts', '../pipeline/pipeline'],
    ['src/main/settings/x.ts', '../postgres/database'],
    ['src/main/config.ts', './services'],
    ['src/main/config.ts', './postgres/database'],
    ['src/main/services.ts', './api/handlers'],
    ['src/main/services.ts', './kpi/snapshot-hub'],
    ['src/main/server/x.ts', '../pipeline/pipeline'],
    ['src/main/shell/x.ts', '../pipeline/pipeline'],
    ['src/main/cli.ts', './kafka/client'],
    // a file or folder with no element of its own gets only base, log and shared
    ['src/main/x.ts', './services'],
    ['src/main/newfolder/x.ts', '../pipeline/pipeline'],
  ])('%s may not import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toHaveLength(1)
  })

  it.each([
    ['src/main/supervise/x.ts', '../../shared/status'],
    ['src/main/kafka/x.ts', '../supervise/pid-lock'],
    ['src/main/kafka/x.ts', '../log/logger'],
    ['src/main/postgres/x.ts', '../kafka/broker/paths'],
    ['src/main/postgres/x.ts', '../config'],
    ['src/main/pipeline/x.ts', '../postgres/database'],
    ['src/main/export/x.ts', '../kpi/snapshot'],
    ['src/main/settings/x.ts', '../config'],
    ['src/main/config.ts', './pipeline/role'],
    ['src/main/services.ts', './supervise/service-supervisor'],
    ['src/main/services.ts', './config'],
    // each run's pipeline is built on the services there (createPipeline)
    ['src/main/services.ts', './pipeline/pipeline'],
    ['src/main/api/x.ts', '../services'],
    ['src/main/server/x.ts', '../api/handlers'],
    ['src/main/cli.ts', './services'],
    // a test sets up what it tests with the real services beside it
    ['src/main/kpi/x.test.ts', '../postgres/thresholds'],
  ])('%s may import %s', async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([])
  })
})

import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

// The layer rules of DESIGN.md live in eslint.config.js; this proves they bite.
const eslint = new ESLint()

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layer rules', () => {
  it.each([
    ['src/main/pipeline/x.ts', "import { app } from 'electron'\nexport const a = app"],
    ['src/main/kafka/x.ts', "import { app } from 'electron'\nexport const a = app"],
    ['src/main/postgres/x.ts', "import { app } from 'electron'\nexport const a = app"],
    ['src/main/kpi/x.ts', "import { app } from 'electron'\nexport const a = app"],
    [
      'src/renderer/src/x.ts',
      "import { settingsSchema } from '../../main/config'\nexport const a = settingsSchema",
    ],
    ['src/renderer/src/x.ts', "import { readFile } from 'node:fs'\nexport const a = readFile"],
    ['src/renderer/src/x.ts', "import { contextBridge } from 'electron'\nexport const a = contextBridge"],
    ['src/shared/x.ts', "import { Pipeline } from '../main/pipeline/pipeline'\nexport const a = Pipeline"],
    ['src/preload/x.ts', "import { createCore } from '../main/api/handlers'\nexport const a = createCore"],
  ])('%s may not: %s', async (file, code) => {
    expect(await layerErrors(file, code)).toHaveLength(1)
  })

  it.each([
    ['src/main/index.ts', "import { app } from 'electron'\nexport const a = app"],
    ['src/preload/x.ts', "import { contextBridge } from 'electron'\nexport const a = contextBridge"],
    [
      'src/renderer/src/x.ts',
      "import { DEFAULT_SYMBOLS } from '../../shared/symbols'\nexport const a = DEFAULT_SYMBOLS",
    ],
    [
      'src/main/pipeline/x.ts',
      "import { DEFAULT_SYMBOLS } from '../../shared/symbols'\nexport const a = DEFAULT_SYMBOLS",
    ],
  ])('%s may: %s', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([])
  })
})

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeFrameLine, encodeFrameLine, readLines, writeFrameFile } from './jsonl'

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tickflow-jsonl-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function lines(path: string): Promise<{ line: string; bytes: number }[]> {
  const out: { line: string; bytes: number }[] = []
  for await (const l of readLines(path)) out.push(l)
  return out
}

describe('frame lines', () => {
  it.each([
    '{"type":"ping"}',
    'line one\nline two\r\n',
    'quotes " and \\ backslashes',
    'unicode € 日本 🎉',
    'lone surrogate \ud800 here',
    '',
  ])('round-trips %j exactly, on one line', (raw) => {
    const line = encodeFrameLine(raw, 1_714_000_000_123)
    expect(line.endsWith('\n')).toBe(true)
    expect(line.slice(0, -1)).not.toContain('\n')
    expect(decodeFrameLine(line.slice(0, -1))).toEqual({ raw, receivedAt: 1_714_000_000_123 })
  })

  it.each([
    '',
    'garbage',
    '[]',
    'null',
    '{"raw":"x"}',
    '{"receivedAt":1}',
    '{"receivedAt":"1","raw":"x"}',
    '{"receivedAt":1,"raw":5}',
  ])('does not decode %j', (line) => {
    expect(decodeFrameLine(line)).toBeUndefined()
  })
})

describe('readLines', () => {
  it('splits on \\n and \\r\\n, keeps a last line without newline, and counts bytes', async () => {
    const path = join(dir, 'mixed.txt')
    const text = 'a\r\nbé\n\nlast'
    await writeFile(path, text)
    const got = await lines(path)
    expect(got.map((l) => l.line)).toEqual(['a', 'bé', '', 'last'])
    expect(got.reduce((n, l) => n + l.bytes, 0)).toBe(Buffer.byteLength(text))
  })

  it('handles lines and multi-byte characters across 1 MiB read chunks', async () => {
    const path = join(dir, 'big.txt')
    const long = '€'.repeat(700_000) // 2.1 MB: spans several chunks
    const text = `short\n${long}\n${'x'.repeat(1_048_570)}€€\nend\n`
    await writeFile(path, text)
    const got = await lines(path)
    expect(got.map((l) => l.line)).toEqual(['short', long, `${'x'.repeat(1_048_570)}€€`, 'end'])
    expect(got.reduce((n, l) => n + l.bytes, 0)).toBe(Buffer.byteLength(text))
  })

  it('reads an empty file as no lines', async () => {
    const path = join(dir, 'empty.txt')
    await writeFile(path, '')
    expect(await lines(path)).toEqual([])
  })
})

describe('writeFrameFile', () => {
  it('writes frames and planted raw lines, reporting exact counts', async () => {
    const path = join(dir, 'fixture.jsonl')
    const frames = Array.from({ length: 5_000 }, (_, i) => ({
      receivedAt: 1_714_000_000_000 + i,
      raw: `{"n":${i}}`,
    }))
    const result = await writeFrameFile(path, [...frames, { line: 'not json' }])
    const text = await readFile(path, 'utf8')
    expect(result).toEqual({ frames: 5_001, bytes: Buffer.byteLength(text) })
    const got = (await lines(path)).map((l) => decodeFrameLine(l.line) ?? l.line)
    expect(got).toEqual([...frames, 'not json'])
  })

  it('accepts an async iterable', async () => {
    const path = join(dir, 'async.jsonl')
    async function* gen(): AsyncGenerator<{ receivedAt: number; raw: string }> {
      for (let i = 0; i < 3; i++) yield { receivedAt: i, raw: String(i) }
    }
    expect((await writeFrameFile(path, gen())).frames).toBe(3)
  })

  it('rejects when the file cannot be written', async () => {
    await expect(
      writeFrameFile(join(dir, 'no/such/dir/x.jsonl'), [{ receivedAt: 1, raw: 'x' }]),
    ).rejects.toThrow(/ENOENT/)
  })
})

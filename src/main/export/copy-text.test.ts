import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { CopyTextDecoder, decodeCopyField, decodeCopyLine } from './copy-text'

async function decode(chunks: Buffer[], progressEvery = 2): Promise<{ rows: unknown[]; progress: number[] }> {
  const progress: number[] = []
  const decoder = new CopyTextDecoder({ map: (f) => f, onProgress: (n) => progress.push(n), progressEvery })
  const rows: unknown[] = []
  for await (const row of Readable.from(chunks).pipe(decoder)) rows.push(row)
  return { rows, progress }
}

describe('COPY text format', () => {
  it('reads NULL, escapes and plain fields', () => {
    expect(decodeCopyField('\\N')).toBeNull()
    expect(decodeCopyField('AAPL')).toBe('AAPL')
    expect(decodeCopyField('a\\tb\\nc\\rd\\\\e')).toBe('a\tb\nc\rd\\e')
    expect(decodeCopyField('\\b\\f\\v')).toBe('\b\f\v')
    expect(decodeCopyField('\\101\\x42\\.')).toBe('AB.')
    expect(decodeCopyLine('IC MARKETS:1\t1.5\t\\N\t')).toEqual(['IC MARKETS:1', '1.5', null, ''])
  })

  it('joins rows split across chunks, even inside a UTF-8 character', async () => {
    const text = Buffer.from('AAPL\t1\nÉTÉ€\t2\n=HYPERLINK("x")\t3\n')
    const cut = text.indexOf(Buffer.from('€')) + 1 // in the middle of the euro sign's bytes
    const { rows, progress } = await decode([text.subarray(0, 3), text.subarray(3, cut), text.subarray(cut)])
    expect(rows).toEqual([
      ['AAPL', '1'],
      ['ÉTÉ€', '2'],
      ['=HYPERLINK("x")', '3'],
    ])
    expect(progress).toEqual([2, 3])
  })

  it('refuses a stream cut off in the middle of a row', async () => {
    await expect(decode([Buffer.from('AAPL\t1\nAMZN\t')])).rejects.toThrow(/middle of a row/)
  })

  it('reads an empty result as no rows', async () => {
    expect((await decode([])).rows).toEqual([])
  })
})

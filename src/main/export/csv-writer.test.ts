import { Readable } from 'node:stream'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { csvStringifier, csvText, isoCell, type Cell } from './csv-writer'

async function streamed(rows: Cell[][]): Promise<string> {
  let out = ''
  for await (const chunk of Readable.from(rows).pipe(csvStringifier())) out += String(chunk)
  return out
}

describe('the CSV writer', () => {
  it('writes RFC 4180: CRLF, quotes only where needed, quotes doubled, line breaks quoted', () => {
    expect(csvText([['a', 'b,c', 'say "hi"', 'two\nlines', 'cr\ronly', '']])).toBe(
      'a,"b,c","say ""hi""","two\nlines","cr\ronly",\r\n',
    )
  })

  it('neutralises text cells a spreadsheet would run as a formula', () => {
    const cells = ['=HYPERLINK("x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', '＝1+1', 'AAPL', 'a=b']
    const [row] = parse(csvText([cells])) as string[][]
    expect(row).toEqual([
      `'=HYPERLINK("x")`,
      "'+1+1",
      "'-2+3",
      "'@SUM(A1)",
      "'\tTAB",
      "'\rCR",
      "'＝1+1",
      'AAPL',
      'a=b',
    ])
  })

  it('leaves numbers alone, negative ones too, and writes booleans and nulls plainly', () => {
    expect(csvText([[-1.5, 0, 60000.25, 1e21, true, false, null, undefined]])).toBe(
      '-1.5,0,60000.25,1e+21,true,false,,\r\n',
    )
  })

  it('streams the same bytes as the one-shot form', async () => {
    const rows: Cell[][] = [
      ['symbol', 'price'],
      ['=1', -3],
      ['IC MARKETS:1', 1.1],
    ]
    expect(await streamed(rows)).toBe(csvText(rows))
  })

  it('formats times as ISO-8601 UTC with milliseconds', () => {
    expect(isoCell(Date.UTC(2024, 4, 1, 12, 0, 0, 7))).toBe('2024-05-01T12:00:00.007Z')
    expect(isoCell(null)).toBeNull()
  })
})

import { PassThrough } from 'node:stream'
import type pg from 'pg'
import { describe, expect, it } from 'vitest'
import { CsvExporter, ExportBusyError } from './exporter'

describe('CsvExporter', () => {
  it('runs only so many exports at once, and frees the slot of a failed one', async () => {
    let fail = false
    const pool = {
      connect: () => (fail ? Promise.reject(new Error('no database')) : new Promise(() => undefined)),
    } as unknown as pg.Pool
    const exporter = new CsvExporter(pool, { maxConcurrent: 2 })
    const req = { from: 0, to: 1 }
    void exporter.write(req, new PassThrough())
    void exporter.write(req, new PassThrough())
    expect(exporter.active()).toBe(2)
    await expect(exporter.write(req, new PassThrough())).rejects.toThrow(ExportBusyError)

    const other = new CsvExporter(pool, { maxConcurrent: 1 })
    fail = true
    await expect(other.write(req, new PassThrough())).rejects.toThrow('no database')
    expect(other.active()).toBe(0)
  })

  it('refuses at once when already cancelled', async () => {
    const pool = { connect: () => Promise.reject(new Error('not reached')) } as unknown as pg.Pool
    const signal = AbortSignal.abort(new Error('cancelled'))
    await expect(
      new CsvExporter(pool).write({ from: 0, to: 1 }, new PassThrough(), { signal }),
    ).rejects.toThrow('cancelled')
  })
})

// A trades export run in a process of its own, so that a test can give it a V8 heap too small to
// hold the file: the export passes only if it streams. Prints its result as one JSON line.
//   node --import tsx --max-old-space-size=N test/helpers/export-child.ts URL SCHEMA FROM TO PATH
import { getHeapStatistics } from 'node:v8'
import { exportTradesCsv } from '../../src/main/export/exporter'
import { createPool } from '../../src/main/postgres/database'

const [url, schema, from, to, path] = process.argv.slice(2)
const pool = createPool(url!, schema!)
try {
  let progress = 0
  const res = await exportTradesCsv(pool, {
    from: Number(from),
    to: Number(to),
    path: path!,
    onProgress: () => progress++,
  })
  const heapLimitMb = Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)
  console.log(JSON.stringify({ ...res, progress, heapLimitMb }))
} finally {
  await pool.end()
}

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openLog, type LogHandle } from '../log/logger'
import { ApiRequestError, CommandFailedError, toApiError } from './dispatch'

describe('toApiError', () => {
  let dir: string | undefined
  let log: LogHandle | undefined
  afterEach(async () => {
    await log?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('keeps an unexpected error’s words in the log, and gives the client only its reference', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickflow-api-error-'))
    log = await openLog({ dir, name: 'api', level: 'info', secrets: ['hunter2'] })
    const e = toApiError(new Error(`ENOENT: no such file or directory, open '/home/me/.ssh/id_rsa'`))
    const ref = /^internal error \(ref ([0-9a-f]{8})\): the log has the details$/.exec(e.message)?.[1]
    expect(ref).toBeDefined()
    // written for the user: shown, secrets masked; a bad request keeps its field
    expect(toApiError(new CommandFailedError('cannot reach Kafka at db:9092 (password hunter2)'))).toEqual({
      message: 'cannot reach Kafka at db:9092 (password [redacted])',
    })
    expect(toApiError(new ApiRequestError('symbol must be …', 'symbol'))).toEqual({
      message: 'symbol must be …',
      field: 'symbol',
    })
    await log.close()
    log = undefined
    const text = await readFile(join(dir, 'api.1.log'), 'utf8')
    expect(text).toContain(`(ref ${ref})`)
    expect(text).toContain('/home/me/.ssh/id_rsa')
  })
})

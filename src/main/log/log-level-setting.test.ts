import { describe, expect, it } from 'vitest'
import { parseFlags, resolveSettings } from '../config'

const env = { TICKFLOW_DATA_DIR: '/tmp/tickflow-test' }

describe('the log level setting', () => {
  it('is info unless the environment or --log-level says otherwise, the flag winning', () => {
    expect(resolveSettings({}, env).logLevel).toBe('info')
    expect(resolveSettings({}, { ...env, TICKFLOW_LOG_LEVEL: 'warn' }).logLevel).toBe('warn')
    const flags = parseFlags(['--log-level', 'trace']).settings
    expect(resolveSettings(flags, { ...env, TICKFLOW_LOG_LEVEL: 'warn' }).logLevel).toBe('trace')
  })

  it('refuses a level that does not exist, naming the setting', () => {
    expect(() => resolveSettings(parseFlags(['--log-level', 'loud']).settings, env)).toThrow(/logLevel/)
  })
})

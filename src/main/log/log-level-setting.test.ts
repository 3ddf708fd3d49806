import { describe, expect, it } from 'vitest'
import { ZodError } from 'zod'
import { describeSettingsError, parseFlags, resolveSettings, settingsFromEnv } from '../config'

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

  it('refuses a TICKFLOW_LOG_LEVEL that does not exist as a settings error naming it, for every face', () => {
    const bad = { ...env, TICKFLOW_LOG_LEVEL: 'verbose' }
    const error = (run: () => unknown): string => {
      try {
        run()
      } catch (err) {
        expect(err).toBeInstanceOf(ZodError)
        return describeSettingsError(err as ZodError)
      }
      return 'no error'
    }
    // The export face reads the environment alone; the others resolve it, even under a good flag.
    expect(error(() => settingsFromEnv(bad))).toMatch(/^TICKFLOW_LOG_LEVEL: .*"debug"/)
    const flags = parseFlags(['--log-level', 'debug']).settings
    expect(error(() => resolveSettings(flags, bad))).toMatch(/^TICKFLOW_LOG_LEVEL: /)
  })
})

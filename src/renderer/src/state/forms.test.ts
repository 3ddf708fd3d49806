import { describe, expect, it } from 'vitest'
import { parseNumberInput, parseSpeed, speedOption } from './forms'

describe('forms', () => {
  it('parses replay speeds', () => {
    expect(parseSpeed('max')).toBe('max')
    expect(parseSpeed('10')).toBe(10)
    expect(parseSpeed('0')).toBeNull()
    expect(parseSpeed('x')).toBeNull()
    expect(speedOption('max')).toBe('max')
    expect(speedOption(100)).toBe('100')
  })
  it('parses number inputs', () => {
    expect(parseNumberInput(' 30 ')).toEqual({ ok: true, value: 30 })
    expect(parseNumberInput('')).toEqual({ ok: false, message: 'enter a number' })
    expect(parseNumberInput('abc')).toMatchObject({ ok: false })
  })
})

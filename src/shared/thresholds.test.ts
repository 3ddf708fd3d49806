import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_THRESHOLDS,
  parseThreshold,
  ThresholdError,
  THRESHOLD_IDS,
  THRESHOLD_SPECS,
} from './thresholds'

describe('parseThreshold', () => {
  it('accepts values in range', () => {
    expect(parseThreshold('symbols_subscribed', 50)).toEqual({ id: 'symbols_subscribed', value: 50 })
    expect(parseThreshold('data_loss_window_s', 1).value).toBe(1)
    expect(parseThreshold('rate_interval_s', 3600).value).toBe(3600)
    expect(parseThreshold('latency_alert_ms', 250).value).toBe(250)
    expect(parseThreshold('rejects_alert_per_min', 1).value).toBe(1)
  })
  it('names the unknown id and lists the known ones', () => {
    expect(() => parseThreshold('nope', 1)).toThrow(ThresholdError)
    expect(() => parseThreshold('nope', 1)).toThrow(/unknown threshold "nope"; known: symbols_subscribed/)
  })
  it.each([
    ['symbols_subscribed', 0, /at least 1 symbols/],
    ['symbols_subscribed', 51, /at most 50 symbols/],
    ['symbols_subscribed', 2.5, /whole number/],
    ['data_loss_window_s', 3601, /at most 3600 seconds/],
    ['rate_interval_s', 0, /at least 1 seconds/],
    ['rate_interval_s', '5', /must be a number/],
    ['rate_interval_s', Number.NaN, /./],
    ['latency_alert_ms', -1, /at least 1 ms/],
    ['rejects_alert_per_min', null, /must be a number/],
  ])('refuses %s = %s', (id, value, reason) => {
    expect(() => parseThreshold(id, value)).toThrow(reason)
    expect(() => parseThreshold(id, value)).toThrow(new RegExp(`^threshold ${id} = `))
  })
})

describe('defaults', () => {
  it('are valid and match the seed rows of sql/001_schema.sql', () => {
    const sql = fs.readFileSync(path.resolve(import.meta.dirname, '../../sql/001_schema.sql'), 'utf8')
    for (const id of THRESHOLD_IDS) {
      expect(parseThreshold(id, DEFAULT_THRESHOLDS[id]).value).toBe(THRESHOLD_SPECS[id].defaultValue)
      const row = new RegExp(`\\('${id}', '((?:[^']|'')*)', ([0-9.]+)\\)`).exec(sql)
      expect(row, `seed row for ${id}`).not.toBeNull()
      expect(row?.[1]).toBe(THRESHOLD_SPECS[id].description)
      expect(Number(row?.[2])).toBe(DEFAULT_THRESHOLDS[id])
    }
    expect(DEFAULT_THRESHOLDS).toMatchObject({
      symbols_subscribed: 4,
      data_loss_window_s: 30,
      rate_interval_s: 1,
    })
  })
})

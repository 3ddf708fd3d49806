import { describe, expect, it } from 'vitest'
import { checkRetentionForm } from './storage-form'

// The Storage section refuses a bad value before asking anything of the server, with the settings'
// own words (the same schema checks --retention-days and settings.json).
describe('the Storage section’s inputs', () => {
  it('make a change of both, or of the days alone when no budget applies', () => {
    expect(checkRetentionForm(' 14 ', '2.5')).toEqual({
      ok: true,
      value: { retentionDays: 14, diskBudgetGb: 2.5 },
    })
    expect(checkRetentionForm('14', null)).toEqual({ ok: true, value: { retentionDays: 14 } })
  })

  it('name the input and the rule a bad value breaks', () => {
    expect(checkRetentionForm('', '20')).toEqual({
      ok: false,
      field: 'retentionDays',
      message: 'retention days: enter a number',
    })
    expect(checkRetentionForm('0', '20')).toMatchObject({
      field: 'retentionDays',
      message: 'retention days must be at least 1 (today is never removed)',
    })
    expect(checkRetentionForm('1.5', '20')).toMatchObject({ field: 'retentionDays', message: /whole number/ })
    expect(checkRetentionForm('7', 'lots')).toMatchObject({
      field: 'diskBudgetGb',
      message: /"lots" is not a number/,
    })
    expect(checkRetentionForm('7', '-3')).toMatchObject({
      field: 'diskBudgetGb',
      message: 'the disk budget must be more than 0 GB',
    })
  })
})

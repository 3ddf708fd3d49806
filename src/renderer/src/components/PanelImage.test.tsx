// @vitest-environment happy-dom
// test-api first: it sets window.api before ../api picks it (the app's transport: main saves and copies)
import { answer, requestsOf, user } from './test-api'
import { render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { PNG_SIGNATURE } from '@shared/chart-image'
import type { CapturedPng } from '../hooks/use-chart-capture'
import { PanelImage } from './PanelImage'

const PNG = new Uint8Array([...PNG_SIGNATURE, 1, 2, 3])
const NAME = 'tickflow-latency-5m-20261207T215313Z.png'
const shot = (): CapturedPng => ({ name: NAME, png: Promise.resolve(new Blob([PNG], { type: 'image/png' })) })

function setup(capture: () => CapturedPng = shot, available = true): ReturnType<typeof user> {
  render(<PanelImage viewId="latency" title="Latency" available={available} capture={capture} />)
  return user()
}
const saveButton = (): HTMLButtonElement => screen.getByRole('button', { name: 'Save PNG of Latency' })
const copyButton = (): HTMLButtonElement => screen.getByRole('button', { name: 'Copy image of Latency' })

describe('PanelImage in the app', () => {
  it("hands main the chart's PNG and its name to save, and says when it is saved", async () => {
    answer('savePng', (req) => ({ path: `/home/ann/Pictures/${req.name}`, bytes: req.png.byteLength }))
    const u = setup()
    await u.click(saveButton())
    const [req] = requestsOf('savePng')
    expect(req?.name).toBe(NAME)
    expect([...(req?.png ?? [])]).toEqual([...PNG])
    expect((await screen.findByRole('status')).textContent).toBe('Saved')
  })

  it('says nothing when the user cancels the dialog', async () => {
    answer('savePng', () => null)
    const u = setup()
    await u.click(saveButton())
    expect(requestsOf('savePng')).toHaveLength(1)
    expect(screen.queryByRole('status')).toBeNull()
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('copies through main, and says so', async () => {
    answer('copyPng', () => null)
    const u = setup()
    await u.click(copyButton())
    expect([...(requestsOf('copyPng')[0]?.png ?? [])]).toEqual([...PNG])
    expect((await screen.findByRole('status')).textContent).toBe('Copied')
  })

  it("shows main's refusal beside the buttons", async () => {
    answer('savePng', () => {
      throw new Error('could not save a.png: EACCES')
    })
    const u = setup()
    await u.click(saveButton())
    expect((await screen.findByRole('alert')).textContent).toBe('could not save a.png: EACCES')
  })

  it('asks main nothing when there is no chart to capture', async () => {
    const u = setup(() => {
      throw new Error('the panel shows no chart yet')
    })
    await u.click(copyButton())
    expect((await screen.findByRole('alert')).textContent).toBe('the panel shows no chart yet')
  })

  it('cannot be pressed while the panel draws no chart', async () => {
    const capture = vi.fn(shot)
    const u = setup(capture, false)
    expect(saveButton().disabled).toBe(true)
    expect(copyButton().disabled).toBe(true)
    await u.click(saveButton())
    expect(capture).not.toHaveBeenCalled()
  })
})

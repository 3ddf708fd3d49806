import type { ImageLayout } from '../state/chart-image'

/**
 * Paints a panel's image as state/chart-image.ts laid it out: the background, the header's text,
 * then the chart (a canvas ECharts rendered at layout.scale, so its pixels land 1:1), and encodes
 * it as PNG. Needs a real canvas: the e2e test checks it in Chromium.
 */
export async function paintPng(layout: ImageLayout, chart: HTMLCanvasElement): Promise<Blob> {
  const canvas = document.createElement('canvas')
  canvas.width = layout.width
  canvas.height = layout.height
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('this browser cannot draw the image')
  ctx.scale(layout.scale, layout.scale)
  ctx.fillStyle = layout.background
  ctx.fillRect(0, 0, layout.width / layout.scale, layout.height / layout.scale)
  ctx.textBaseline = 'top'
  for (const line of layout.lines) {
    ctx.font = line.font
    ctx.fillStyle = line.color
    ctx.fillText(line.text, line.x, line.y, line.maxWidth)
  }
  const { x, y, width, height } = layout.chart
  ctx.drawImage(chart, x, y, width, height)
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('the image could not be encoded'))),
      'image/png',
    ),
  )
}

import { describe, expect, it } from 'vitest'
import { escapeHtml, tooltipHtml } from './tooltip'

const HOSTILE = '<img src=x onerror=alert(1)>'

describe('tooltipHtml', () => {
  it('escapes a symbol from the feed in the heading, a label, a value and a colour', () => {
    const html = tooltipHtml(HOSTILE, [{ label: HOSTILE, value: HOSTILE, color: `red"><img src=x>` }])
    expect(html).not.toContain('<img')
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;')
    // parsed as HTML, the symbol is text again: no element was made of it
    expect(html.match(/&#60;img src=x onerror=alert\(1\)&#62;/g)).toHaveLength(3)
    expect(html).not.toContain('style=')
  })

  it('keeps its own markup, with no style attribute (the CSP would block it)', () => {
    expect(tooltipHtml('AAPL', [{ label: 'trades', value: '3' }])).toBe(
      '<div class="tooltip-heading">AAPL</div><div>trades <b>3</b></div>',
    )
  })
})

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or an attribute', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&#38;&#60;&#62;&#34;&#39;')
  })
})

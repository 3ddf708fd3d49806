import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { COLORS, SCHEMES, themeCss } from './colors'
import { echartsTheme } from './echarts-theme'

const mainCss = readFileSync(new URL('../assets/main.css', import.meta.url), 'utf8')
/** The variables main.css sets itself: sizes and fonts, no colours. */
const OWN = ['radius', 'font', 'mono']

describe('one table of colours', () => {
  it('defines every variable main.css uses, in both schemes', () => {
    const used = new Set([...mainCss.matchAll(/var\(--([\w-]+)\)/g)].map((m) => m[1]!))
    for (const scheme of SCHEMES) {
      const defined = new Set([...Object.keys(COLORS[scheme].ui), ...OWN])
      expect(
        [...used].filter((v) => !defined.has(v)),
        scheme,
      ).toEqual([])
    }
  })

  it('leaves no colour literal in main.css', () => {
    expect(mainCss.match(/#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(/gi)).toBeNull()
  })

  it('writes light on :root and dark under prefers-color-scheme', () => {
    const css = themeCss()
    const [light, dark] = css.split('@media (prefers-color-scheme: dark)')
    expect(light).toContain(`--bg: ${COLORS.light.ui.bg};`)
    expect(dark).toContain(`--bg: ${COLORS.dark.ui.bg};`)
    expect(dark).toContain(`--surface-2: ${COLORS.dark.ui['surface-2']};`)
  })

  it('gives the ECharts theme the charts’ colours of the same scheme', () => {
    for (const scheme of SCHEMES) {
      const theme = echartsTheme(scheme) as { textStyle: { color: string }; darkMode: boolean }
      expect(theme.textStyle.color).toBe(COLORS[scheme].chart.text)
      expect(theme.darkMode).toBe(scheme === 'dark')
    }
  })
})

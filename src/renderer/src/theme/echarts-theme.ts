import { COLORS, type Scheme } from './colors'

/**
 * The ECharts theme of a scheme, from the same table as the CSS variables: the defaults for what
 * an option leaves unset (the builders set most colours themselves, from themeColors). echarts.ts
 * registers both; EChart.tsx picks one by the OS scheme.
 */

export function echartsThemeName(scheme: Scheme): string {
  return `tickflow-${scheme}`
}

export function echartsTheme(scheme: Scheme): Record<string, unknown> {
  const { ui, chart: c } = COLORS[scheme]
  const axis = {
    axisLine: { lineStyle: { color: c.axisLine } },
    splitLine: { lineStyle: { color: c.splitLine } },
    axisLabel: { color: c.muted },
  }
  return {
    // darkMode: labels drawn over a shape pick their contrast for a dark page
    darkMode: scheme === 'dark',
    backgroundColor: 'transparent',
    textStyle: { color: c.text },
    title: { textStyle: { color: c.text }, subtextStyle: { color: c.muted } },
    legend: { textStyle: { color: c.text }, pageTextStyle: { color: c.muted } },
    tooltip: { backgroundColor: c.tooltipBg, borderColor: c.tooltipBorder, textStyle: { color: c.text } },
    axisPointer: {
      lineStyle: { color: c.axisLine },
      crossStyle: { color: c.axisLine },
      label: { color: c.text },
    },
    categoryAxis: axis,
    valueAxis: axis,
    logAxis: axis,
    timeAxis: axis,
    // a lone point's symbol: filled on dark, hollow on light, as ECharts' own themes drew it
    line: { symbol: scheme === 'dark' ? 'circle' : 'emptyCircle' },
    // slices parted by the panel's colour
    funnel: { itemStyle: { borderColor: ui.surface } },
  }
}

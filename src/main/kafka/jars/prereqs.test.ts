import { describe, expect, it } from 'vitest'
import { javaCommand, parseJavaVersion, parseMavenVersion, versionAtLeast } from './prereqs'

describe('parseJavaVersion', () => {
  it('reads modern OpenJDK output', () => {
    const out = `openjdk version "17.0.15" 2025-04-15
OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)
OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)`
    expect(parseJavaVersion(out)).toEqual({ major: 17, version: '17.0.15' })
  })

  it('reads the legacy 1.x scheme as its second number', () => {
    expect(parseJavaVersion('java version "1.8.0_381"\nJava(TM) SE Runtime')).toEqual({
      major: 8,
      version: '1.8.0_381',
    })
  })

  it('reads bare and early-access majors', () => {
    expect(parseJavaVersion('openjdk version "21" 2023-09-19')?.major).toBe(21)
    expect(parseJavaVersion('openjdk version "23-ea" 2024-09-17')?.major).toBe(23)
  })

  it('ignores JVM warnings printed before the version line', () => {
    const out = 'Picked up JAVA_TOOL_OPTIONS: -Xmx1g\nopenjdk version "11.0.2" 2019-01-15'
    expect(parseJavaVersion(out)?.major).toBe(11)
  })

  it('returns undefined for output without a version', () => {
    expect(parseJavaVersion('bash: java: command not found')).toBeUndefined()
    expect(parseJavaVersion('')).toBeUndefined()
  })
})

describe('parseMavenVersion', () => {
  it('strips ANSI colour codes', () => {
    expect(parseMavenVersion('\u001b[1mApache Maven 3.8.7\u001b[m\nMaven home: /usr/share/maven')).toEqual([
      3, 8, 7,
    ])
  })

  it('returns undefined for other output', () => {
    expect(parseMavenVersion('mvn: not found')).toBeUndefined()
  })
})

describe('versionAtLeast', () => {
  it('compares component by component', () => {
    expect(versionAtLeast([3, 6, 3], [3, 6, 3])).toBe(true)
    expect(versionAtLeast([3, 8, 1], [3, 6, 3])).toBe(true)
    expect(versionAtLeast([3, 6, 2], [3, 6, 3])).toBe(false)
    expect(versionAtLeast([2, 9, 9], [3, 6, 3])).toBe(false)
    expect(versionAtLeast([4], [3, 6, 3])).toBe(true)
  })
})

describe('javaCommand', () => {
  it('prefers JAVA_HOME over PATH', () => {
    expect(javaCommand({ JAVA_HOME: '/opt/jdk' })).toBe('/opt/jdk/bin/java')
    expect(javaCommand({})).toBe('java')
  })
})

import { describe, expect, it } from 'vitest'
import { mavenFailureReason, parseMavenDownload } from './jar-maven'

describe('parseMavenDownload', () => {
  it('summarises jar downloads', () => {
    const line =
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka-clients/4.4.0/kafka-clients-4.4.0.jar (11 MB at 26 MB/s)'
    expect(parseMavenDownload(line)).toBe('downloaded kafka-clients-4.4.0.jar (11 MB)')
  })

  it('ignores poms, starts of downloads and other lines', () => {
    expect(
      parseMavenDownload(
        '[INFO] Downloaded from central: https://repo/x/kafka-clients-4.4.0.pom (1.4 kB at 158 kB/s)',
      ),
    ).toBeUndefined()
    expect(parseMavenDownload('[INFO] Downloading from central: https://repo/x/a.jar')).toBeUndefined()
    expect(parseMavenDownload('[INFO] BUILD SUCCESS')).toBeUndefined()
  })
})

describe('mavenFailureReason', () => {
  it('picks the first real [ERROR] line and skips the help boilerplate', () => {
    const lines = [
      '[INFO] Scanning for projects...',
      '[ERROR] Failed to execute goal on project tickflow-kafka-broker: Could not resolve dependencies for project dev.tickflow:tickflow-kafka-broker:pom:1.0.0: Could not transfer artifact',
      '[ERROR] ',
      '[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.',
      '[ERROR] -> [Help 1]',
    ]
    expect(mavenFailureReason(lines)).toMatch(/^Failed to execute goal .*Could not resolve dependencies/)
  })

  it('keeps the reason to one bounded line', () => {
    const reason = mavenFailureReason([`[ERROR] ${'x'.repeat(1000)}`])
    expect(reason.length).toBeLessThanOrEqual(300)
    expect(reason).not.toContain('\n')
  })

  it('falls back to the last output line', () => {
    expect(mavenFailureReason(['Error: JAVA_HOME is not defined correctly.', ''])).toBe(
      'Error: JAVA_HOME is not defined correctly.',
    )
  })
})

import { describe, expect, it } from 'vitest'
import { coordinatesFromPath } from './jar-lock-write'

describe('coordinatesFromPath', () => {
  it('reads group, artifact and version from the repository layout', () => {
    expect(coordinatesFromPath('com/github/luben/zstd-jni/1.5.7-17/zstd-jni-1.5.7-17.jar')).toEqual({
      groupId: 'com.github.luben',
      artifactId: 'zstd-jni',
      version: '1.5.7-17',
      file: 'zstd-jni-1.5.7-17.jar',
    })
  })

  it('keeps a classifier', () => {
    expect(coordinatesFromPath('io/netty/netty-x/4.1/netty-x-4.1-linux-x86_64.jar')).toMatchObject({
      classifier: 'linux-x86_64',
      file: 'netty-x-4.1-linux-x86_64.jar',
    })
  })

  it('refuses paths that are not the repository layout', () => {
    expect(() => coordinatesFromPath('kafka-clients-4.4.0.jar')).toThrow('repository-layout')
    expect(() => coordinatesFromPath('org/a/b/1.0/c-1.0.jar')).toThrow('repository-layout')
    expect(() => coordinatesFromPath('org/a/b/1.0/b-1.0x.jar')).toThrow('repository-layout')
  })
})

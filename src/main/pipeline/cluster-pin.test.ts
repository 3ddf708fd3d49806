import type { Admin, Kafka } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { clusterChange, pinCluster } from './cluster-pin'

/** An admin whose describeCluster answers with `id`, or fails when `id` is an Error. */
function fakeAdmin(id: string | Error): Admin {
  return {
    connect: async () => undefined,
    disconnect: async () => undefined,
    describeCluster: async () => {
      if (id instanceof Error) throw id
      return { clusterId: id, brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }], controller: 1 }
    },
  } as unknown as Admin
}
const kafkaOf = (id: string | Error): Kafka => ({ admin: () => fakeAdmin(id) }) as unknown as Kafka

describe('pinCluster', () => {
  it('takes whatever answers when nothing is pinned yet', async () => {
    expect(await pinCluster(kafkaOf('A'), undefined, 'h:1')).toBe('A')
  })
  it('accepts the pinned cluster and refuses another in words', async () => {
    expect(await pinCluster(kafkaOf('A'), 'A', 'h:1')).toBe('A')
    await expect(pinCluster(kafkaOf('B'), 'A', 'h:1')).rejects.toThrow(
      'the broker at h:1 is Kafka cluster B, not cluster A that this pipeline started with',
    )
  })
  it('says where it could not reach Kafka', async () => {
    await expect(pinCluster(kafkaOf(new Error('ECONNREFUSED')), 'A', 'h:1')).rejects.toThrow(
      'cannot reach Kafka at h:1: ECONNREFUSED',
    )
  })
})

describe('clusterChange', () => {
  it('is null while the same cluster answers, and when none does', async () => {
    expect(await clusterChange(fakeAdmin('A'), 'A', 'h:1')).toBeNull()
    expect(await clusterChange(fakeAdmin(new Error('down')), 'A', 'h:1')).toBeNull()
  })
  it('names the other cluster once it answers instead', async () => {
    expect(await clusterChange(fakeAdmin('B'), 'A', 'h:1')).toContain('is Kafka cluster B, not cluster A')
  })
})

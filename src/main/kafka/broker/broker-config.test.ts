import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  clusterNodeOverrides,
  jvmArgs,
  newClusterId,
  parseMetaProperties,
  quorumVoters,
  renderServerProperties,
  renderTemplate,
} from './broker-config'
import { kafkaResourcesDir } from './paths'

function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    map.set(line.slice(0, eq), line.slice(eq + 1))
  }
  return map
}

describe('renderTemplate', () => {
  it('fills every placeholder', () => {
    expect(renderTemplate('a={{A}} b={{B}} a2={{A}}', { A: '1', B: '2' })).toBe('a=1 b=2 a2=1')
  })

  it('rejects a placeholder without value', () => {
    expect(() => renderTemplate('a={{A}} b={{B}}', { A: '1' })).toThrow('{{B}}')
  })

  it('rejects a value the template does not use', () => {
    expect(() => renderTemplate('a={{A}}', { A: '1', C: '3' })).toThrow('{{C}}')
  })
})

const PW = 'Zm9vYmFyYmF6cXV4cXV1eA'

describe('server.properties.template', () => {
  const template = readFileSync(join(kafkaResourcesDir(), 'server.properties.template'), 'utf8')
  const props = parseProperties(
    renderServerProperties(template, {
      brokerPort: 39092,
      controllerPort: 39093,
      logDirs: '/data/kafka/data',
      password: PW,
    }),
  )

  it('configures a combined KRaft node on loopback', () => {
    expect(props.get('process.roles')).toBe('broker,controller')
    expect(props.get('node.id')).toBe('1')
    expect(props.get('listeners')).toBe('SASL_PLAINTEXT://127.0.0.1:39092,CONTROLLER://127.0.0.1:39093')
    expect(props.get('advertised.listeners')).toBe('SASL_PLAINTEXT://127.0.0.1:39092')
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:39093')
    expect(props.get('controller.listener.names')).toBe('CONTROLLER')
    expect(props.get('log.dirs')).toBe('/data/kafka/data')
  })

  it('asks a password on every listener: SCRAM for clients and brokers, PLAIN for controllers', () => {
    const map = props.get('listener.security.protocol.map')!.split(',')
    expect(map.sort()).toEqual(['CONTROLLER:SASL_PLAINTEXT', 'SASL_PLAINTEXT:SASL_PLAINTEXT'])
    expect(props.get('sasl.enabled.mechanisms')).toBe('SCRAM-SHA-256')
    expect(props.get('sasl.mechanism.inter.broker.protocol')).toBe('SCRAM-SHA-256')
    expect(props.get('listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config')).toContain(
      `username="tickflow" password="${PW}";`,
    )
    expect(props.get('listener.name.controller.sasl.enabled.mechanisms')).toBe('PLAIN')
    expect(props.get('listener.name.controller.plain.sasl.jaas.config')).toContain(`user_tickflow="${PW}";`)
  })

  it('refuses a password that could break out of the JAAS quotes', () => {
    const vars = { brokerPort: 1, controllerPort: 2, logDirs: '/x' }
    expect(() => renderServerProperties(template, { ...vars, password: 'abcdefghijklmnop"; x' })).toThrow()
  })

  it('sizes internal topics for a single node and skips the rebalance delay', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'transaction.state.log.min.isr',
      'share.coordinator.state.topic.replication.factor',
      'share.coordinator.state.topic.min.isr',
    ]) {
      expect(props.get(key), key).toBe('1')
    }
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0')
  })

  it('rejects equal or invalid ports', () => {
    expect(() =>
      renderServerProperties(template, { brokerPort: 1, controllerPort: 1, logDirs: '/x', password: PW }),
    ).toThrow()
    expect(() =>
      renderServerProperties(template, { brokerPort: 0, controllerPort: 2, logDirs: '/x', password: PW }),
    ).toThrow()
  })

  it('writes Windows paths with forward slashes, since .properties treats \\ as an escape', () => {
    const text = renderServerProperties(template, {
      brokerPort: 1,
      controllerPort: 2,
      logDirs: 'C:\\tf\\data',
      password: PW,
    })
    expect(parseProperties(text).get('log.dirs')).toBe('C:/tf/data')
  })

  it('appends overrides after the template, so they win (Java Properties keeps the last value)', () => {
    const vars = { brokerPort: 1, controllerPort: 2, logDirs: '/x', password: PW }
    const text = renderServerProperties(template, {
      ...vars,
      overrides: { 'log.retention.check.interval.ms': '1000', 'num.partitions': '4' },
    })
    const props = parseProperties(text)
    expect(props.get('log.retention.check.interval.ms')).toBe('1000')
    expect(props.get('num.partitions')).toBe('4')
    expect(text.startsWith(renderServerProperties(template, vars))).toBe(true)
  })

  it('refuses an override that could smuggle in another setting', () => {
    const vars = { brokerPort: 1, controllerPort: 2, logDirs: '/x', password: PW }
    expect(() => renderServerProperties(template, { ...vars, overrides: { 'a=b\nc': '1' } })).toThrow()
    expect(() => renderServerProperties(template, { ...vars, overrides: { a: '1\nlisteners=x' } })).toThrow()
    expect(() => renderServerProperties(template, { ...vars, overrides: { a: 'C:\\x' } })).toThrow()
  })
})

describe('newClusterId', () => {
  it('makes 22-character base64url ids from 16 bytes', () => {
    const id = newClusterId()
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(Buffer.from(id, 'base64url')).toHaveLength(16)
    expect(newClusterId()).not.toBe(id)
  })

  it('skips ids that start with a dash', () => {
    const draws = [Buffer.alloc(16, 0xfb), Buffer.alloc(16, 0x11)]
    const id = newClusterId(() => draws.shift()!)
    expect(id.startsWith('-')).toBe(false)
    expect(draws).toHaveLength(0)
  })
})

describe('parseMetaProperties', () => {
  it('reads the cluster and node id Kafka writes', () => {
    const text =
      '#\n#Thu Nov 26 03:22:31 UTC 2026\nnode.id=1\ndirectory.id=nqzIwz_sXv7UkAaXTrx-qA\nversion=1\ncluster.id=2vvingIpTQyW6NhyxVI6aw\n'
    expect(parseMetaProperties(text)).toEqual({ clusterId: '2vvingIpTQyW6NhyxVI6aw', nodeId: 1 })
  })
})

describe('jvmArgs', () => {
  it('puts JVM options before the main class and its arguments', () => {
    const args = jvmArgs({
      heapMb: 256,
      logsDir: '/d/logs',
      log4jConfig: '/r/log4j2.xml',
      classpath: '/a.jar:/b.jar',
      mainClass: 'kafka.Kafka',
      args: ['/d/server.properties'],
    })
    expect(args).toContain('-Xmx256m')
    expect(args).toContain('-Dkafka.logs.dir=/d/logs')
    expect(args.slice(-4)).toEqual(['-cp', '/a.jar:/b.jar', 'kafka.Kafka', '/d/server.properties'])
  })

  it('refuses a heap too small to run a broker', () => {
    expect(() =>
      jvmArgs({ heapMb: 64, logsDir: '', log4jConfig: '', classpath: '', mainClass: 'x', args: [] }),
    ).toThrow('heap')
  })
})

describe('a node of a local cluster', () => {
  const template = readFileSync(join(kafkaResourcesDir(), 'server.properties.template'), 'utf8')
  const voters = [
    { nodeId: 1, controllerPort: 41001 },
    { nodeId: 2, controllerPort: 41002 },
    { nodeId: 3, controllerPort: 41003 },
  ]
  const node2 = parseProperties(
    renderServerProperties(template, {
      brokerPort: 40002,
      controllerPort: 41002,
      logDirs: '/d/node-2',
      password: PW,
      overrides: clusterNodeOverrides(2, voters),
    }),
  )

  it('names itself and every controller as a static voter', () => {
    expect(node2.get('node.id')).toBe('2')
    expect(node2.get('controller.quorum.voters')).toBe(
      '1@127.0.0.1:41001,2@127.0.0.1:41002,3@127.0.0.1:41003',
    )
    expect(node2.get('listeners')).toBe('SASL_PLAINTEXT://127.0.0.1:40002,CONTROLLER://127.0.0.1:41002')
  })

  it('keeps three copies of internal and new topics and needs two in sync', () => {
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
      'share.coordinator.state.topic.replication.factor',
      'default.replication.factor',
    ]) {
      expect(node2.get(key), key).toBe('3')
    }
    for (const key of [
      'min.insync.replicas',
      'transaction.state.log.min.isr',
      'share.coordinator.state.topic.min.isr',
    ]) {
      expect(node2.get(key), key).toBe('2')
    }
  })

  it('asks no more copies than there are nodes', () => {
    const two = clusterNodeOverrides(1, voters.slice(0, 2))
    expect(two['default.replication.factor']).toBe('2')
    expect(two['min.insync.replicas']).toBe('1')
    const five = clusterNodeOverrides(5, [
      ...voters,
      { nodeId: 4, controllerPort: 4 },
      { nodeId: 5, controllerPort: 5 },
    ])
    expect(five['default.replication.factor']).toBe('3')
    expect(five['min.insync.replicas']).toBe('2')
  })

  it('refuses a node outside the voters, or voters sharing an id', () => {
    expect(() => clusterNodeOverrides(4, voters)).toThrow('node 4')
    expect(() => quorumVoters([voters[0]!, voters[0]!])).toThrow('distinct')
    expect(() => quorumVoters([])).toThrow()
  })
})

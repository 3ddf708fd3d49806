import { describe, expect, it } from 'vitest'
import type { ExitInfo } from './restart-policy'
import { ServiceSupervisor, type ServiceNotice, type SupervisedProcess } from './service-supervisor'

/** A process that dies when the test says so. */
class FakeProcess implements SupervisedProcess {
  stopped = 0
  private die!: (e: ExitInfo) => void
  readonly exited = new Promise<ExitInfo>((r) => (this.die = r))
  constructor(readonly pid: number) {}
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.die({ code: null, signal })
  }
  async stop(): Promise<void> {
    this.stopped++
    this.die({ code: 0, signal: null })
  }
}

const until = async (what: string, ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 500; i++) {
    if (ok()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

function setup(failLaunches = 0, explainDeath?: (p: FakeProcess) => Promise<string | null>) {
  const started: FakeProcess[] = []
  const notices: ServiceNotice[] = []
  let failures = failLaunches
  const sup = new ServiceSupervisor<FakeProcess>({
    service: 'kafka',
    name: 'Kafka broker',
    launch: async () => {
      if (started.length > 0 && failures-- > 0) throw new Error('port 9092 is taken\nand more')
      const p = new FakeProcess(100 + started.length)
      started.push(p)
      return p
    },
    where: () => '127.0.0.1:9092',
    notify: (n) => notices.push(n),
    explainDeath,
    backoff: { initialMs: 10, maxMs: 40, factor: 2, stableMs: 60_000 },
    random: () => 1,
  })
  return { sup, started, notices }
}

describe('ServiceSupervisor', () => {
  it('restarts a process that died, and says so in words', async () => {
    const { sup, started, notices } = setup()
    await sup.start()
    started[0]!.kill()
    await until('a restart', () => started.length === 2 && sup.process() === started[1])
    expect(started[0]!.stopped).toBe(1) // the dead one's leftovers were released
    expect(notices.map((n) => [n.service, n.level, n.message])).toEqual([
      ['kafka', 'error', 'Kafka broker (pid 100) was killed by SIGKILL; restarting it in 0.0 s (restart 1)'],
      ['kafka', 'info', 'Kafka broker is back on 127.0.0.1:9092 (pid 101)'],
    ])
    await sup.stop()
    expect(started[1]!.stopped).toBe(1)
  })

  it('adds what the service tells of a death (a full disk) to the exit status', async () => {
    const { sup, started, notices } = setup(0, async (p) => (p.pid === 100 ? 'its disk is full' : null))
    await sup.start()
    started[0]!.kill()
    await until('a restart', () => started.length === 2)
    expect(notices[0]!.message).toBe(
      'Kafka broker (pid 100) was killed by SIGKILL: its disk is full; restarting it in 0.0 s (restart 1)',
    )
    await sup.stop()
  })

  it('keeps trying, with a growing pause, while the restart fails', async () => {
    const { sup, started, notices } = setup(2)
    await sup.start()
    started[0]!.kill('SIGTERM')
    await until('the third try to succeed', () => started.length === 2)
    const texts = notices.map((n) => n.message)
    expect(texts[1]).toBe(
      'Kafka broker could not restart: port 9092 is taken; restarting it in 0.0 s (restart 2)',
    )
    expect(texts[3]).toMatch(/is back on/)
    expect(sup.restartCount()).toBe(3)
    await sup.stop()
  })

  it('does not restart what stop() ended, nor after stop() during the pause', async () => {
    const { sup, started, notices } = setup(1_000)
    await sup.start()
    started[0]!.kill()
    await until('a failed restart', () => notices.length >= 2)
    await sup.stop()
    const seen = notices.length
    await new Promise((r) => setTimeout(r, 100))
    expect(notices.length).toBe(seen)
    expect(started).toHaveLength(1)

    const b = setup()
    await b.sup.start()
    await b.sup.stop()
    await new Promise((r) => setTimeout(r, 50))
    expect(b.started).toHaveLength(1)
    expect(b.notices).toEqual([])
  })
})

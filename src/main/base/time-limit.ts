/**
 * Waits for `work` at most `ms`: true if it settled in time (resolved or rejected), false if the
 * time ran out. The work goes on regardless; the caller decides what a timeout means and says so.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** A pause that `wake()` cuts short: for retry waits that a stop must not sit out. */
export class Sleeper {
  private wakers = new Set<() => void>()

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.wakers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.wakers.add(done)
    })
  }

  wake(): void {
    for (const w of [...this.wakers]) w()
  }
}

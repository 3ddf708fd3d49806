/**
 * Runs tasks one after another in call order, each seeing what the one before it left. A failed task
 * fails only its own caller; the next still runs.
 */
export function serialize(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task)
    // The failure goes to this task's caller through `run`; the chain only keeps the order.
    tail = run.catch(() => undefined)
    return run
  }
}

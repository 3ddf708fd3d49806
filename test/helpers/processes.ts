import { readdir, readFile } from 'node:fs/promises'

/** Pids of the processes whose command line mentions `text` (a test's unique data dir, say). */
export async function processesMentioning(text: string): Promise<{ pid: number; cmdline: string }[]> {
  const out: { pid: number; cmdline: string }[] = []
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes(text)) out.push({ pid: Number(name), cmdline: cmdline.split('\0').join(' ') })
  }
  return out
}

/** SIGKILLs what a failed test left behind; never anything outside its own data dir. */
export async function killMentioning(text: string): Promise<void> {
  for (const p of await processesMentioning(text)) {
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      // gone meanwhile
    }
  }
}

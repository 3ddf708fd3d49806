import { lstat, mkdir, readdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { recordingNameSchema, RECORDING_NAME_RULE, type Recording } from '../../../shared/recordings'

/**
 * The recordings folder, `<data dir>/recordings`: where `--record NAME` writes, and the only place
 * a client (browser mode's dashboard) may pick a replay from, by name.
 */
export function recordingsDir(dataDir: string): string {
  return join(dataDir, 'recordings')
}

/** A refusal in words for the user; it never says whether a file outside the folder exists. */
export class RecordingError extends Error {}

/** The recordings, newest first: regular files only (no links, folders or hidden files). */
export async function listRecordings(dir: string): Promise<Recording[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return []
    throw err
  })
  const found = await Promise.all(
    entries
      .filter((e) => e.isFile() && recordingNameSchema.safeParse(e.name).success)
      .map(async (e): Promise<Recording | null> => {
        // One that went between readdir and stat is simply not listed.
        const s = await lstat(join(dir, e.name)).catch(() => null)
        return s?.isFile() ? { name: e.name, bytes: s.size, modifiedAt: Math.round(s.mtimeMs) } : null
      }),
  )
  return found
    .filter((r): r is Recording => r !== null)
    .sort((a, b) => b.modifiedAt - a.modifiedAt || a.name.localeCompare(b.name))
}

/**
 * The path of the recording a client named. Anything but a plain file directly in the folder is
 * refused: a path, `..`, a hidden name, and a link (which could lead out of it).
 */
export async function resolveRecording(dir: string, name: string): Promise<string> {
  if (!recordingNameSchema.safeParse(name).success) throw new RecordingError(RECORDING_NAME_RULE)
  const path = join(dir, name)
  const info = await lstat(path).catch(() => null)
  if (!info) throw new RecordingError(`no recording named ${name} in the recordings folder`)
  if (!info.isFile())
    throw new RecordingError(`${name} is not a plain file in the recordings folder (a link or a folder)`)
  return path
}

/** The recording's name when `path` is one of the recordings, else null. */
export function recordingNameOf(dir: string, path: string | null | undefined): string | null {
  if (!path || dirname(path) !== dir) return null
  const name = basename(path)
  return recordingNameSchema.safeParse(name).success ? name : null
}

/**
 * Where `--record FILE` writes and `--replay-file FILE` reads: a bare file name is one of the
 * recordings, so the dashboard lists what the CLI recorded; a path (`./x.jsonl`, `/tmp/x.jsonl`:
 * the user's own shell named it) stays as given.
 */
export function recordingFilePath(dataDir: string, file: string): string {
  return /[/\\]/.test(file) ? file : join(recordingsDir(dataDir), file)
}

/** Makes the folder a recording goes to (private to the user, as the data dir is). */
export async function prepareRecordFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
}

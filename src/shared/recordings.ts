import { z } from 'zod'

/**
 * Recordings: JSONL files of received frames in `<data dir>/recordings`, the only files a client
 * may replay. A client names one by its file name; main resolves it inside that folder. A path
 * (the app's file dialog, the CLI's --replay-file) never comes from a client.
 */

/** One recording as listRecordings shows it. */
export interface Recording {
  /** its file name in the recordings folder: what setSource's `recording` takes */
  name: string
  bytes: number
  /** last written, ms epoch */
  modifiedAt: number
}

export const RECORDING_NAME_RULE =
  'a recording is named by its file name in the recordings folder: no / or \\, no .., not hidden'

/**
 * A recording's name. Checked before any file is looked at, so a refusal says nothing about
 * whether some other file exists.
 */
export const recordingNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !/[/\\\0]/.test(name) && !name.startsWith('.'), RECORDING_NAME_RULE)

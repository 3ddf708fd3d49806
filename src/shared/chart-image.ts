import { z } from 'zod'

/**
 * A panel's chart as a PNG, as the renderer hands it to main (the app's save dialog and
 * clipboard). Main trusts none of it: the bytes must be a PNG of bounded size, the suggested name
 * a plain file name.
 */

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/**
 * Far above any chart: a maximised panel on a 4K screen at pixel ratio 2 is ~30 Mpx, and a chart
 * (flat colours) compresses to a few MB; the bound stops a page from making main buffer anything.
 */
export const MAX_PNG_BYTES = 32 * 1024 * 1024

/** Letters, digits, dot, dash and underscore, ending in .png: nothing a dialog could read as a path. */
export const PNG_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}\.png$/

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b)
}

const pngBytesSchema = z
  .instanceof(Uint8Array, { message: 'the image must be bytes' })
  .refine((b) => b.length <= MAX_PNG_BYTES, `the image is larger than ${MAX_PNG_BYTES / 1024 / 1024} MB`)
  .refine(isPng, 'the image is not a PNG')

export const savePngRequestSchema = z
  .object({
    /** the suggested file name; the user picks the path in main's dialog */
    name: z.string().regex(PNG_NAME_PATTERN, 'the name must be a plain file name ending in .png'),
    png: pngBytesSchema,
  })
  .strict()
export type SavePngRequest = z.infer<typeof savePngRequestSchema>

export const copyPngRequestSchema = z.object({ png: pngBytesSchema }).strict()
export type CopyPngRequest = z.infer<typeof copyPngRequestSchema>

/** A PNG written where the user chose. */
export interface SavedPng {
  path: string
  bytes: number
}

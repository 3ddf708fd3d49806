import { clipboard, nativeImage } from 'electron'
import { writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { SavedPng, SavePngRequest } from '../../shared/chart-image'
import { ApiRequestError, CommandFailedError } from '../api/dispatch'

/*
 * A panel's chart image in the app. The renderer made the PNG and the contract checked it (its
 * signature, its size, a plain name); here the user picks where it goes, or it goes onto the
 * system clipboard. The page itself may do neither: the sandbox has no file system, and the shell
 * refuses every permission request, the clipboard's included.
 */

/**
 * createCore's savePng: asks `choose` (the save dialog) where, then writes the bytes there. Null
 * when the user cancels.
 */
export function pngSaver(
  choose: (suggestedName: string) => Promise<string | null>,
): (req: SavePngRequest) => Promise<SavedPng | null> {
  return async ({ name, png }) => {
    const path = await choose(name)
    if (path === null) return null
    try {
      await writeFile(path, png)
    } catch (err) {
      // The user chose the place: say what went wrong there (EACCES, ENOSPC), in their words.
      const code = (err as NodeJS.ErrnoException).code ?? 'an error'
      throw new CommandFailedError(`could not save ${basename(path)}: ${code}`, { cause: err })
    }
    return { path, bytes: png.byteLength }
  }
}

/** createCore's copyPng: the image onto the system clipboard, as an image (not a file or text). */
export function copyPngToClipboard(png: Uint8Array): void {
  const image = nativeImage.createFromBuffer(Buffer.from(png.buffer, png.byteOffset, png.byteLength))
  // A PNG signature over bytes Electron cannot decode: say so rather than clear the clipboard.
  if (image.isEmpty()) throw new ApiRequestError('the image could not be read as a PNG')
  clipboard.writeImage(image)
}

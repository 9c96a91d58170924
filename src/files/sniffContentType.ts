import { fileTypeFromBuffer } from 'file-type';
import type { StagedUpload } from './uploadStaging.js';

/**
 * The type of an upload from its bytes (issue #16): the magic numbers file-type knows, else `text/plain` for bytes
 * that are all text (UTF-8 without binary controls), else undefined (refused as UNSUPPORTED_MEDIA_TYPE). The name
 * and the declared type play no part.
 */
export async function sniffContentType(staged: Pick<StagedUpload, 'head' | 'text'>): Promise<string | undefined> {
  const found = await fileTypeFromBuffer(staged.head);
  if (found !== undefined) return found.mime;
  return staged.text ? 'text/plain' : undefined;
}

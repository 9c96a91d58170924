// What the service accepts and how it serves it (issue #16). Pure: the rules only; the bytes are sniffed in
// sniffContentType.ts. A file's type is what its bytes are, never its name or the type the client declared.

/** The images the service decodes, re-encodes (dropping EXIF, GPS included) and makes thumbnails of. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** ALLOWED_FILE_TYPES' default: the images, PDF and plain text. */
export const DEFAULT_ALLOWED_TYPES: readonly string[] = [...IMAGE_TYPES, 'application/pdf', 'text/plain'];

/** Longest side of a thumbnail, in pixels (API.md). */
export const THUMBNAIL_MAX_SIDE = 320;

export function isImageType(contentType: string): contentType is ImageType {
  return IMAGE_TYPES.some((type) => type === contentType);
}

/** What may be uploaded: a type in the allowed list, as sniffed (never a guess from a name). */
export function isAllowedType(contentType: string | undefined, allowed: readonly string[]): contentType is string {
  return contentType !== undefined && allowed.includes(contentType);
}

/**
 * How a download is served. Only an allowed image is shown inline (a browser renders it and nothing else); anything
 * else is an attachment, so a PDF's scripts or an HTML-looking text never run on the service's origin. Every download
 * also carries `X-Content-Type-Options: nosniff` and a sandboxing CSP.
 */
export function dispositionOf(contentType: string, allowed: readonly string[]): 'inline' | 'attachment' {
  return isImageType(contentType) && allowed.includes(contentType) ? 'inline' : 'attachment';
}

/** A thumbnail is a JPEG for a JPEG, else a PNG (which keeps transparency and a GIF's palette). */
export function thumbnailTypeOf(contentType: ImageType): 'image/jpeg' | 'image/png' {
  return contentType === 'image/jpeg' ? 'image/jpeg' : 'image/png';
}

/** The file name extension for a type, for a name the client did not give. */
export function extensionOf(contentType: string): string {
  switch (contentType) {
    case 'image/png':
      return 'png';
    case 'image/jpeg':
      return 'jpg';
    case 'image/gif':
      return 'gif';
    case 'image/webp':
      return 'webp';
    case 'application/pdf':
      return 'pdf';
    case 'text/plain':
      return 'txt';
    default:
      return 'bin';
  }
}

/** Code points kept of a name (fileDecider.ts' MAX_FILE_NAME_LENGTH). */
const MAX_NAME = 255;

/**
 * The name a file is shown with: the browser's name without any folder part, without control, bidi or zero-width
 * characters (which could disguise an extension: `photo\u202Egnp.exe`), trimmed and at most 255 code points;
 * `file.<ext>` when nothing is left.
 */
export function cleanFileName(raw: string | undefined, contentType: string): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '')
    .trim();
  const limited = [...cleaned].slice(0, MAX_NAME).join('');
  return limited === '' || limited === '.' || limited === '..' ? `file.${extensionOf(contentType)}` : limited;
}

/** A name for `Content-Disposition` (RFC 6266): an ASCII fallback and the UTF-8 name (RFC 8187). */
export function contentDisposition(disposition: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Bytes that are plain text: valid UTF-8 (checked as they arrive, see uploadStaging.ts) without NUL or the C0
 * controls that no text file has (tab, line feed, carriage return and form feed are text). Decided on the whole
 * file, not a prefix.
 */
export function isTextControl(byte: number): boolean {
  return byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c;
}

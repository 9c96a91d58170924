import type { ImageType } from './fileTypes.js';

// An image's size read from its header, before anything decodes it: a 50 KB PNG can claim 100,000 × 100,000
// pixels and take 40 GB to decode (a decompression bomb). MAX_IMAGE_PIXELS is checked against this first. Pure.

export interface Dimensions {
  width: number;
  height: number;
}

/** The width and height the header declares, or undefined when the header cannot be read. */
export function imageDimensions(type: ImageType, head: Buffer): Dimensions | undefined {
  switch (type) {
    case 'image/png':
      return pngDimensions(head);
    case 'image/gif':
      return head.length >= 10 ? positive(head.readUInt16LE(6), head.readUInt16LE(8)) : undefined;
    case 'image/jpeg':
      return jpegDimensions(head);
    case 'image/webp':
      return webpDimensions(head);
    default: {
      const unknown: never = type;
      throw new Error(`no header reader for ${String(unknown)}`);
    }
  }
}

function positive(width: number, height: number): Dimensions | undefined {
  return width > 0 && height > 0 ? { width, height } : undefined;
}

/** IHDR is always the first chunk: width and height at bytes 16 and 20. */
function pngDimensions(head: Buffer): Dimensions | undefined {
  if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return positive(head.readUInt32BE(16), head.readUInt32BE(20));
}

/** Walks the markers to the first start-of-frame (SOF0..SOF15 but DHT, JPG and DAC), which holds the size. */
function jpegDimensions(head: Buffer): Dimensions | undefined {
  let offset = 2;
  while (offset + 9 <= head.length) {
    if (head[offset] !== 0xff) return undefined;
    const marker = head[offset + 1] ?? 0;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2;
      continue;
    }
    const length = head.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return positive(head.readUInt16BE(offset + 7), head.readUInt16BE(offset + 5));
    }
    if (length < 2) return undefined;
    offset += 2 + length;
  }
  return undefined;
}

/** RIFF....WEBP, then a VP8 (lossy), VP8L (lossless) or VP8X (extended) chunk. */
function webpDimensions(head: Buffer): Dimensions | undefined {
  if (head.length < 30 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WEBP') {
    return undefined;
  }
  const chunk = head.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') {
    return positive(head.readUInt16LE(26) & 0x3fff, head.readUInt16LE(28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    const bits = head.readUInt32LE(21);
    return positive((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    return positive(head.readUIntLE(24, 3) + 1, head.readUIntLE(27, 3) + 1);
  }
  return undefined;
}

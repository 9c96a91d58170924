import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import decodeWebp, { init as initWebpDecoder } from '@jsquash/webp/decode.js';
import encodeWebp, { init as initWebpEncoder } from '@jsquash/webp/encode.js';
import { Jimp } from 'jimp';
import { ChatError } from '../domain/errors.js';
import { THUMBNAIL_MAX_SIDE, thumbnailTypeOf, type ImageType } from './fileTypes.js';
import { imageDimensions } from './imageDimensions.js';

// Images are decoded and encoded again before they are stored (issue #16): what is kept is the pixels, so EXIF (GPS
// position, camera serial numbers), comments and anything smuggled after the image data are gone. The thumbnail is
// made the same way. Pure JavaScript (jimp; WebP through libwebp compiled to WebAssembly), so nothing native has to
// be built. An animated GIF keeps its first frame. A JPEG's EXIF orientation is applied to the pixels by jimp before
// the EXIF is dropped, so the picture stays upright.

export interface ProcessedImage {
  bytes: Buffer;
  width: number;
  height: number;
  thumbnail: Buffer;
  thumbnailType: 'image/jpeg' | 'image/png';
}

const JPEG_QUALITY = 90;
const THUMBNAIL_JPEG_QUALITY = 80;

type JimpImage = Awaited<ReturnType<typeof Jimp.read>>;

/**
 * Re-encodes an image of the given (sniffed) type and makes its thumbnail. Refuses an image whose header declares
 * more than `maxPixels` pixels before decoding it (PAYLOAD_TOO_LARGE), and bytes that do not decode as that type
 * (UNSUPPORTED_MEDIA_TYPE).
 */
export async function processImage(bytes: Buffer, type: ImageType, maxPixels: number): Promise<ProcessedImage> {
  const declared = imageDimensions(type, bytes);
  if (declared === undefined) throw notAnImage(type);
  if (declared.width * declared.height > maxPixels) {
    throw new ChatError('PAYLOAD_TOO_LARGE', `an image may have at most ${maxPixels} pixels`, {
      maxPixels,
      width: declared.width,
      height: declared.height,
    });
  }
  return imageJobs.run(async () => {
    const image = await decode(bytes, type);
    const { width, height } = image.bitmap;
    const reencoded = await encode(image, type);
    const small = image.clone();
    if (Math.max(width, height) > THUMBNAIL_MAX_SIDE) small.scaleToFit({ w: THUMBNAIL_MAX_SIDE, h: THUMBNAIL_MAX_SIDE });
    const thumbnailType = thumbnailTypeOf(type);
    const thumbnail =
      thumbnailType === 'image/jpeg'
        ? await small.getBuffer('image/jpeg', { quality: THUMBNAIL_JPEG_QUALITY })
        : await small.getBuffer('image/png');
    return { bytes: reencoded, width, height, thumbnail, thumbnailType };
  });
}

async function decode(bytes: Buffer, type: ImageType): Promise<JimpImage> {
  try {
    if (type === 'image/webp') {
      await webpReady();
      const pixels = await decodeWebp(new Uint8Array(bytes).buffer);
      return Jimp.fromBitmap({ data: Buffer.from(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength), width: pixels.width, height: pixels.height });
    }
    return await Jimp.read(bytes);
  } catch (error) {
    if (error instanceof ChatError) throw error;
    throw notAnImage(type);
  }
}

async function encode(image: JimpImage, type: ImageType): Promise<Buffer> {
  switch (type) {
    case 'image/png':
      return image.getBuffer('image/png');
    case 'image/jpeg':
      return image.getBuffer('image/jpeg', { quality: JPEG_QUALITY });
    case 'image/gif':
      return image.getBuffer('image/gif');
    case 'image/webp': {
      await webpReady();
      const { data, width, height } = image.bitmap;
      const rgba = new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength);
      return Buffer.from(await encodeWebp({ data: rgba, width, height, colorSpace: 'srgb' }, { quality: JPEG_QUALITY }));
    }
    default: {
      const unknown: never = type;
      throw new Error(`no encoder for ${String(unknown)}`);
    }
  }
}

function notAnImage(type: string): ChatError {
  return new ChatError('UNSUPPORTED_MEDIA_TYPE', `the bytes do not decode as ${type}`, { contentType: type });
}

let webpLoading: Promise<void> | undefined;

/**
 * libwebp's WebAssembly, from the package's own .wasm files: the package would fetch() them by URL, which Node
 * cannot do for file: URLs. Once per process.
 */
export function webpReady(): Promise<void> {
  webpLoading ??= (async () => {
    const require = createRequire(import.meta.url);
    const codec = path.join(path.dirname(require.resolve('@jsquash/webp/package.json')), 'codec');
    // Emscripten takes the module's bytes as `wasmBinary` (the package's types leave that option out).
    const decoder = { noInitialRun: true, wasmBinary: readFileSync(path.join(codec, 'dec/webp_dec.wasm')) };
    const encoder = { noInitialRun: true, wasmBinary: readFileSync(path.join(codec, 'enc/webp_enc_simd.wasm')) };
    await initWebpDecoder(decoder);
    await initWebpEncoder(encoder);
  })();
  return webpLoading;
}

/**
 * At most two images are decoded at once per process: a decoded image takes 4 bytes per pixel (100 MB for 25
 * megapixels), so twenty uploads at once must not all hold one. Others wait their turn.
 */
class Jobs {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await job();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

const imageJobs = new Jobs(2);

import { Readable } from 'node:stream';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import encodeWebp from '@jsquash/webp/encode.js';
import { Jimp } from 'jimp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentKey, thumbnailKey, uploaderPrefix } from '../../src/files/fileKeys.js';
import { checkKey } from '../../src/files/fileStore.js';
import { cleanFileName, contentDisposition, dispositionOf, DEFAULT_ALLOWED_TYPES, isAllowedType } from '../../src/files/fileTypes.js';
import { imageDimensions } from '../../src/files/imageDimensions.js';
import { processImage, webpReady } from '../../src/files/imageProcessing.js';
import { sniffContentType } from '../../src/files/sniffContentType.js';
import { UploadStaging } from '../../src/files/uploadStaging.js';
import { byteRangeOf, notModified } from '../../src/http/fileResponses.js';

// The pure rules of files (issue #16): what a file is (from its bytes), how it is named and served, where it is
// kept; and the staging and image steps on small inputs made here.

const dir = mkdtempSync(path.join(tmpdir(), 'file-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sniffing', () => {
  const sniff = (bytes: Buffer, text = false) => sniffContentType({ head: bytes, text });

  it('types images and PDFs by their magic numbers, whatever they are called', async () => {
    expect(await sniff(await new Jimp({ width: 2, height: 2, color: 0 }).getBuffer('image/png'))).toBe('image/png');
    expect(await sniff(await new Jimp({ width: 2, height: 2, color: 0 }).getBuffer('image/jpeg'))).toBe('image/jpeg');
    expect(await sniff(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))).toBe('image/gif');
    expect(await sniff(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'))).toBe('application/pdf');
  });

  it('calls bytes plain text only when the staging found them all to be text', async () => {
    expect(await sniff(Buffer.from('hello'), true)).toBe('text/plain');
    expect(await sniff(Buffer.from([0x00, 0x01, 0x02]), false)).toBeUndefined();
  });

  it('allows the listed types only', () => {
    expect(isAllowedType('image/webp', DEFAULT_ALLOWED_TYPES)).toBe(true);
    expect(isAllowedType('application/zip', DEFAULT_ALLOWED_TYPES)).toBe(false);
    expect(isAllowedType(undefined, DEFAULT_ALLOWED_TYPES)).toBe(false);
  });
});

describe('serving and naming', () => {
  it('shows allowed images inline and everything else as an attachment', () => {
    expect(dispositionOf('image/png', DEFAULT_ALLOWED_TYPES)).toBe('inline');
    expect(dispositionOf('image/png', ['application/pdf'])).toBe('attachment');
    expect(dispositionOf('application/pdf', DEFAULT_ALLOWED_TYPES)).toBe('attachment');
    expect(dispositionOf('text/plain', DEFAULT_ALLOWED_TYPES)).toBe('attachment');
  });

  it('cleans names: no folders, no controls or bidi overrides, a fallback for nothing', () => {
    expect(cleanFileName('C:\\\\Users\\\\me\\\\photo.png', 'image/png')).toBe('photo.png');
    expect(cleanFileName('../../etc/passwd', 'text/plain')).toBe('passwd');
    expect(cleanFileName('invoice\u202Efdp.exe', 'application/pdf')).toBe('invoicefdp.exe');
    expect(cleanFileName('   ', 'image/jpeg')).toBe('file.jpg');
    expect(cleanFileName(undefined, 'application/pdf')).toBe('file.pdf');
    expect([...cleanFileName('é'.repeat(400), 'text/plain')]).toHaveLength(255);
  });

  it('writes Content-Disposition with an ASCII fallback and the UTF-8 name', () => {
    expect(contentDisposition('attachment', 'Grüße "1".txt')).toBe(
      `attachment; filename="Gr__e _1_.txt"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%221%22.txt`,
    );
  });

  it('reads one byte range, clipped; ignores what it cannot serve; refuses a start past the end', () => {
    expect(byteRangeOf('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(byteRangeOf('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRangeOf('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRangeOf('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(byteRangeOf('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(byteRangeOf('items=0-1', 100)).toBeUndefined();
    expect(() => byteRangeOf('bytes=100-', 100)).toThrow(/has 100 bytes/);
    expect(notModified('"a", "b"', '"b"')).toBe(true);
    expect(notModified(undefined, '"b"')).toBe(false);
  });
});

describe('where bytes are kept', () => {
  it('content-addresses them in the uploader\'s folder, with paths no key can escape', () => {
    expect(contentKey('u-1', 'ab')).toBe('u-1/ab');
    expect(thumbnailKey('u-1', 'ab')).toBe('u-1/ab.thumb');
    expect(uploaderPrefix('system:odd/../id')).toMatch(/^u-[0-9a-f]{40}\/$/);
    expect(() => checkKey('u-1/../x')).toThrow();
    expect(() => checkKey('u-1/ab.thumb')).not.toThrow();
  });
});

describe('images', () => {
  // The encoder these tests make WebP samples with is the one the service loads.
  beforeAll(() => webpReady());

  it('reads sizes from headers without decoding (PNG, GIF, JPEG, WebP)', async () => {
    const image = new Jimp({ width: 37, height: 21, color: 0xff0000ff });
    expect(imageDimensions('image/png', await image.getBuffer('image/png'))).toEqual({ width: 37, height: 21 });
    expect(imageDimensions('image/jpeg', await image.getBuffer('image/jpeg'))).toEqual({ width: 37, height: 21 });
    expect(imageDimensions('image/gif', Buffer.from('GIF89a\x25\x00\x15\x00', 'latin1'))).toEqual({ width: 37, height: 21 });
    const webp = Buffer.from(await encodeWebp({ data: new Uint8ClampedArray(37 * 21 * 4), width: 37, height: 21, colorSpace: 'srgb' }));
    expect(imageDimensions('image/webp', webp)).toEqual({ width: 37, height: 21 });
    expect(imageDimensions('image/png', Buffer.from('not a png'))).toBeUndefined();
  });

  it('refuses a decompression bomb by its header, before decoding it', async () => {
    // A PNG header claiming 100,000 × 100,000 pixels.
    const header = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header);
    header.writeUInt32BE(13, 8);
    header.write('IHDR', 12, 'latin1');
    header.writeUInt32BE(100_000, 16);
    header.writeUInt32BE(100_000, 20);
    await expect(processImage(header, 'image/png', 25_000_000)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('re-encodes a WebP and makes a thumbnail of at most 320 px', async () => {
    const webp = Buffer.from(await encodeWebp({ data: new Uint8ClampedArray(640 * 200 * 4).fill(128), width: 640, height: 200, colorSpace: 'srgb' }));
    const processed = await processImage(webp, 'image/webp', 25_000_000);
    expect(processed).toMatchObject({ width: 640, height: 200, thumbnailType: 'image/png' });
    expect(await sniffContentType({ head: processed.bytes, text: false })).toBe('image/webp');
    const thumbnail = await Jimp.read(processed.thumbnail);
    expect([thumbnail.bitmap.width, thumbnail.bitmap.height]).toEqual([320, 100]);
  });

  it('refuses bytes that do not decode as the image they claim to be with UNSUPPORTED_MEDIA_TYPE', async () => {
    const png = await new Jimp({ width: 8, height: 8, color: 0 }).getBuffer('image/png');
    await expect(processImage(png.subarray(0, 40), 'image/png', 1000)).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});

describe('staging an upload', () => {
  const staging = new UploadStaging(path.join(dir, 'uploads'));

  it('measures, hashes and keeps the head of what it streams; text is decided on every byte', async () => {
    await staging.prepare();
    const staged = await staging.stage(Readable.from([Buffer.from('hello, '), Buffer.from('wörld\n')]), 1000);
    expect(staged).toMatchObject({ size: 14, text: true, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(staged.head.toString()).toBe('hello, wörld\n');
    await staging.discard(staged);
    const binary = await staging.stage(Readable.from([Buffer.from('text '), Buffer.from([0x00])]), 1000);
    expect(binary.text).toBe(false);
    await staging.discard(binary);
    // A UTF-8 sequence split across chunks is still text; a broken one is not.
    const split = await staging.stage(Readable.from([Buffer.from([0xc3]), Buffer.from([0xa9])]), 1000);
    expect(split.text).toBe(true);
    await staging.discard(split);
  });

  it('refuses more than the limit with PAYLOAD_TOO_LARGE, and leaves nothing behind on any failure', async () => {
    await expect(staging.stage(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000)).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    const broken = new Readable({
      read() {
        this.push(Buffer.alloc(10));
        this.destroy(new Error('the client went away'));
      },
    });
    await expect(staging.stage(broken, 1000)).rejects.toThrow('the client went away');
    expect(readdirSync(path.join(dir, 'uploads'))).toEqual([]);
  });
});

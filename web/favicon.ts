// /favicon.ico drawn at build time (a speech bubble in the page's accent colour), so no binary sits in git.
// An ICO holding one 32×32 32-bit BMP: ICONDIR, one ICONDIRENTRY, BITMAPINFOHEADER, BGRA rows bottom-up, AND mask.

const SIZE = 32;

function inBubble(x: number, y: number): boolean {
  const cx = 16, cy = 14;
  const inBody = (x - cx) ** 2 / 14 ** 2 + (y - cy) ** 2 / 11 ** 2 <= 1;
  const inTail = y >= 20 && y <= 29 && x >= 7 && x <= 13 && x - 7 <= (29 - y) * 0.7;
  return inBody || inTail;
}

export function faviconIco(): Buffer {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  for (let row = 0; row < SIZE; row++) {
    const y = SIZE - 1 - row; // BMP rows run bottom-up
    for (let x = 0; x < SIZE; x++) {
      const at = (row * SIZE + x) * 4;
      if (!inBubble(x, y)) continue;
      const dot = y === 14 && (x === 10 || x === 16 || x === 22);
      const [r, g, b] = dot ? [255, 255, 255] : [37, 99, 235];
      pixels.writeUInt8(b, at);
      pixels.writeUInt8(g, at + 1);
      pixels.writeUInt8(r, at + 2);
      pixels.writeUInt8(255, at + 3);
    }
  }
  const mask = Buffer.alloc(SIZE * (SIZE / 8)); // all 0: the alpha channel decides
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(SIZE, 4);
  header.writeInt32LE(SIZE * 2, 8); // colour and mask stacked
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([header, pixels, mask]);
  const dir = Buffer.alloc(6 + 16);
  dir.writeUInt16LE(0, 0);
  dir.writeUInt16LE(1, 2); // icon
  dir.writeUInt16LE(1, 4); // one image
  dir.writeUInt8(SIZE, 6);
  dir.writeUInt8(SIZE, 7);
  dir.writeUInt16LE(1, 10);
  dir.writeUInt16LE(32, 12);
  dir.writeUInt32LE(image.length, 14);
  dir.writeUInt32LE(dir.length, 18);
  return Buffer.concat([dir, image]);
}

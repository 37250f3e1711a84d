/**
 * The image mode's digits: decoding the bundled subset (mnist-subset.ts
 * wrote it) into grey levels in [0, 1], and loading it in the worker with the
 * browser's own gzip decoder. No DOM: the Node tests decode the same bytes.
 */

export interface DigitSet {
  /** m x 784 grey levels in [0, 1], one 28x28 row-major digit after another: the library's (m, 28, 28, 1). */
  pixels: Float32Array;
  labels: Uint8Array;
  m: number;
}

export interface Digits {
  train: DigitSet;
  dev: DigitSet;
  /** The dev digits' grey levels as bytes (0-255), what the page draws the gallery from. */
  devBytes: Uint8Array;
}

/** Decodes the subset's bytes (after gzip): "LWMN", u32 train, u32 dev, labels, pixels. */
export function decodeDigits(bytes: Uint8Array): Digits {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== 'LWMN') throw new Error(`the digits file starts with “${magic}”, not LWMN`);
  const train = view.getUint32(4, true);
  const dev = view.getUint32(8, true);
  const n = train + dev;
  if (bytes.byteLength !== 12 + n + n * 784) throw new Error(`the digits file holds ${bytes.byteLength} bytes; ${n} digits need ${12 + n + n * 784}`);
  const set = (start: number, m: number): DigitSet => {
    const pixels = new Float32Array(m * 784);
    const from = 12 + n + start * 784;
    for (let i = 0; i < pixels.length; i++) pixels[i] = bytes[from + i]! / 255;
    return { pixels, labels: bytes.slice(12 + start, 12 + start + m), m };
  };
  const devFrom = 12 + n + train * 784;
  return { train: set(0, train), dev: set(train, dev), devBytes: bytes.slice(devFrom, devFrom + dev * 784) };
}

/** Fetches the gzipped subset from the app's own folder and decodes it. */
export async function loadDigits(url: string): Promise<Digits> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`could not read the bundled digits (${url}: HTTP ${response.status})`);
  const unzipped = response.body.pipeThrough(new DecompressionStream('gzip'));
  return decodeDigits(new Uint8Array(await new Response(unzipped).arrayBuffer()));
}

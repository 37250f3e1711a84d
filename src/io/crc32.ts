/**
 * CRC-32 (IEEE 802.3, the zip/PNG polynomial) of a byte array: the checksum
 * that tells a truncated or altered weights file from a good one.
 */
let table: Uint32Array | null = null;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/**
 * The CRC-32 of `bytes` as 8 lowercase hex digits.
 *
 * @example
 * ```ts
 * import { crc32 } from 'layerwise';
 * crc32(new TextEncoder().encode('123456789')) === 'cbf43926'; // true
 * ```
 */
export function crc32(bytes: Uint8Array): string {
  table ??= makeTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

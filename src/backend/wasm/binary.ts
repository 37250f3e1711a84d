/**
 * The compiled kernels: base64 in generated/wasm-binary.ts, decoded and
 * compiled here, without any fetch or file access.
 */
import { WASM_SHARED_BASE64, WASM_UNSHARED_BASE64 } from './generated/wasm-binary.js';

/**
 * The smallest module using a SIMD instruction: a function that returns
 * i32x4.splat(0) as v128 and drops it. Hosts without SIMD reject it.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x09, 0x01, 0x07, 0x00, // code section: one 7-byte body, no locals
  0x41, 0x00, 0xfd, 0x11, 0x1a, 0x0b, // i32.const 0; i32x4.splat; drop; end
]);

/** Whether this host runs WebAssembly with 128-bit SIMD. */
export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The module bytes for a shared or an unshared memory. */
export function moduleBytes(shared: boolean): Uint8Array<ArrayBuffer> {
  return decodeBase64(shared ? WASM_SHARED_BASE64 : WASM_UNSHARED_BASE64);
}

/**
 * Atomic file writes: a reader (or a process killed mid-write) sees either
 * the old file or the new one, never half of one.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValueError } from '../tensor/errors.js';
import { describe } from '../tensor/validate.js';

/**
 * Writes `data` to `path` through a temporary file in the same folder, flushed
 * to disk, then renamed over the target (rename is atomic on one filesystem).
 *
 * @example
 * ```ts
 * import { mkdtempSync, readFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { writeFileAtomic } from 'layerwise/node';
 * const file = join(mkdtempSync(join(tmpdir(), 'layerwise-')), 'out.json');
 * writeFileAtomic(file, JSON.stringify({ ok: true }));
 * readFileSync(file, 'utf8') === '{"ok":true}'; // true
 * ```
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  checkTarget(path, data);
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const fd = openSync(tmp, 'w');
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dirname(path));
}

// Checked here so a failure names the caller's path, not the temporary file's.
function checkTarget(path: unknown, data: unknown): void {
  const where = 'writeFileAtomic';
  if (typeof path !== 'string' || path === '') throw new ValueError(`${where}: path: expected a non-empty string, got ${describe(path)}`);
  if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
    throw new ValueError(`${where}: data: expected a string or a Uint8Array, got ${data instanceof ArrayBuffer ? 'an ArrayBuffer' : describe(data)}`);
  }
  const dir = dirname(path);
  if (!existsSync(dir)) throw new ValueError(`${where}: path: expected a file in an existing folder, got ${path} (the folder ${dir} does not exist)`);
  if (!statSync(dir).isDirectory()) throw new ValueError(`${where}: path: expected a file in a folder, got ${path} (${dir} is not a folder)`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new ValueError(`${where}: path: expected a file, got ${path}, which is a folder`);
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

/**
 * Atomic file writes: a reader (or a process killed mid-write) sees either
 * the old file or the new one, never half of one. Also: the housekeeping of
 * the temporary files killed saves leave, and reading a file whose type and
 * size are checked before a byte is read.
 */
import { closeSync, constants, existsSync, fstatSync, fsyncSync, lstatSync, openSync, readdirSync, readSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
  removeStaleTempFiles(dirname(path), (name) => name === basename(path));
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    throw asErrorOf(e, path);
  }
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw asErrorOf(e, path);
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw asErrorOf(e, path);
  }
  syncDir(dirname(path));
}

/** The suffix writeFileAtomic gives its temporary files: `<name>.tmp-<pid>-<random>`. */
const TEMP_SUFFIX = /^(.+)\.tmp-(\d+)-[0-9a-z]+$/;

/**
 * Removes from `dir` the temporary files of writeFileAtomic whose target name
 * passes `target` and whose writer no longer runs (a save killed before its
 * rename); a running process's file may be a save in flight and is kept.
 */
export function removeStaleTempFiles(dir: string, target: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_SUFFIX.exec(name);
    if (m && target(m[1]!) && !isRunning(Number(m[2]))) rmSync(join(dir, name), { force: true });
  }
}

/** Whether a process with this id runs on this machine (EPERM: it runs, as another user). */
export function isRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// An error about the temporary file, retold about the caller's path (same code, so callers that
// look at it still can): the temporary name means nothing to the user.
function asErrorOf(e: unknown, path: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== 'string') return e;
  const out = new Error(`${err.code}: ${err.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')}, ${err.syscall ?? 'write'} '${path}'`) as NodeJS.ErrnoException;
  out.code = err.code;
  out.errno = err.errno;
  out.syscall = err.syscall ?? 'write';
  out.path = path;
  return out;
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

/** What a path that is not a regular file is, in words: 'a folder', 'a FIFO (named pipe)', ... */
export function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return stats.isFile() ? 'a file' : 'not a regular file';
}

/**
 * Why {@link readRegularFile} refused a file: the words to put after its name;
 * `size` is the file's size when that (not its type) was the reason.
 */
export class FileKindError extends Error {
  override name = 'FileKindError';
  constructor(
    message: string,
    readonly size: number | null = null,
  ) {
    super(message);
  }
}

/**
 * Reads a regular file whose size is checked before a byte is read: `size`
 * exactly (a weights file whose length the manifest gives) or at most
 * `maxSize`. A folder, FIFO, device or socket is refused without blocking (it
 * is opened non-blocking and checked with fstat, so the checked file is the
 * one read), and so is a file of another size: a link to /dev/zero, a pipe or
 * a 3 GiB file can neither hang the reader nor exhaust its memory. Throws
 * {@link FileKindError} with what the path is (and where a link points).
 */
export function readRegularFile(path: string, limit: { size: number } | { maxSize: number }): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new FileKindError(`which is a folder${linkNote(path)}`);
    throw e;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileKindError(`which is ${kindOf(stats)}${linkNote(path)}, not a regular file`);
    if ('size' in limit && stats.size !== limit.size) throw new FileKindError(`expected ${limit.size} bytes, got ${stats.size}`, stats.size);
    if ('maxSize' in limit && stats.size > limit.maxSize) throw new FileKindError(`expected at most ${limit.maxSize} bytes, got ${stats.size}`, stats.size);
    const bytes = new Uint8Array(stats.size);
    let off = 0;
    while (off < bytes.length) {
      const n = readSync(fd, bytes, off, bytes.length - off, off);
      if (n === 0) throw new FileKindError(`expected ${bytes.length} bytes, but it ended after ${off} (it changed while being read)`);
      off += n;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}

function linkNote(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? ` (a link to ${realpathSync(path)})` : '';
  } catch {
    return '';
  }
}

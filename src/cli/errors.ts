/**
 * A user-facing CLI error: printed without a stack trace, exit code 1 (2 for usage).
 */
import { DivergenceError, ShapeError, ValueError } from '../tensor/errors.js';

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Filesystem failures a user causes and can fix (a wrong path, a file where a folder belongs, permissions). */
const FS_CODES: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EEXIST: 'already exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder, expected a file',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
};

interface FsError {
  code: string;
  syscall?: string;
  path?: string;
}

function isFsError(e: unknown): e is FsError {
  const code: unknown = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code in FS_CODES;
}

/**
 * The one line to print for an error the user can act on, or null for a bug,
 * whose stack trace is worth more than a tidy line.
 */
export function userMessage(e: unknown): string | null {
  if (e instanceof CliError || e instanceof ValueError || e instanceof ShapeError || e instanceof DivergenceError) return e.message;
  if (isFsError(e)) return `cannot ${e.syscall ?? 'access'} ${e.path ?? 'a file'}: ${FS_CODES[e.code]} (${e.code})`;
  return null;
}

/**
 * Helpers for tests of the file layer: a process id that is no longer
 * running, and a folder this process cannot write into.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The pid of a child process that has exited (so no process runs under it, barring reuse). */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  if (typeof r.pid !== 'number') throw new Error('could not start a child process');
  return r.pid;
}

/**
 * A folder this process cannot create files in: a read-only (0o555) temporary
 * folder, or, for root (whom permission bits do not stop), /sys/kernel; null
 * where neither works.
 */
export function unwritableFolder(): string | null {
  if (process.getuid?.() !== 0) {
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-ro-'));
    chmodSync(dir, 0o555);
    return dir;
  }
  return process.platform === 'linux' && existsSync('/sys/kernel') ? '/sys/kernel' : null;
}

/**
 * writeFileAtomic's housekeeping: temporary files left by a killed save are
 * removed by the next save of the same file (only those of processes that no
 * longer run), and a failure names the caller's path, not the temporary file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/node/index.js';
import { deadPid, unwritableFolder } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('removes the temporary files of killed saves of the same file, and nothing else', () => {
    const dir = mkdtempSync(join(root, 'tmp-'));
    const dead = deadPid();
    const stale = `history.csv.tmp-${dead}-abc123`;
    const live = `history.csv.tmp-${process.ppid}-def456`; // a running process: its save may be in flight
    const others = ['history.csv.bak', `report.html.tmp-${dead}-abc123`, `history.csv.tmp-${dead}`, 'notes.txt'];
    for (const f of [stale, live, ...others]) writeFileSync(join(dir, f), 'x');
    writeFileAtomic(join(dir, 'history.csv'), 'epoch\n');
    expect(readdirSync(dir).sort()).toEqual(['history.csv', live, ...others].sort());
    expect(readFileSync(join(dir, 'history.csv'), 'utf8')).toBe('epoch\n');
  });

  it('a folder it cannot write into is named by the caller\'s path, not the temporary file', () => {
    const dir = unwritableFolder();
    if (dir === null) return;
    const file = join(dir, 'layerwise-report.html');
    let error: unknown = null;
    try {
      writeFileAtomic(file, 'x');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const e = error as NodeJS.ErrnoException;
    expect(e.message).toContain(file);
    expect(e.message).not.toContain('.tmp-');
    expect(e.path).toBe(file);
    expect(['EACCES', 'EPERM', 'EROFS']).toContain(e.code);
  });
});

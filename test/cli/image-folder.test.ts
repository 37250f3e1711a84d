/**
 * Image folders as they come from real machines: hidden folders (.git,
 * .ipynb_checkpoints) and hidden files are not classes or images, nested
 * subfolders and empty class folders are said in a note, and large images
 * are decoded one at a time (peak memory does not grow with their number).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadImageFolder } from '../../src/cli/data/images.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-images-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A side x side PNG of one grey level (or, with `rows`, a level that changes every row). */
function png(side: number, grey: number, { rows = false, fast = false } = {}): Buffer {
  const img = new PNG({ width: side, height: side });
  for (let k = 0; k < img.data.length; k += 4) {
    const v = rows ? (grey + Math.floor(k / 4 / side)) & 255 : grey;
    img.data[k] = v;
    img.data[k + 1] = v;
    img.data[k + 2] = v;
    img.data[k + 3] = 255;
  }
  return PNG.sync.write(img, fast ? { filterType: 0, deflateLevel: 1 } : {});
}

/** Writes `files` (relative path to contents) under a new folder `name` of the test's temp folder. */
function folder(name: string, files: Record<string, Buffer | string>): string {
  const dir = join(root, name);
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
  return dir;
}

describe('image folders', () => {
  it('hidden folders are not classes and hidden files are not images', () => {
    const dir = folder('hidden', {
      'cat/1.png': png(4, 20),
      'cat/._1.png': 'macOS resource fork, not a PNG',
      'dog/1.png': png(4, 200),
      '.git/objects/x.png': 'not an image',
      '.ipynb_checkpoints/1-checkpoint.png': png(4, 90),
      'cat/.ipynb_checkpoints/1-checkpoint.png': png(4, 90),
    });
    const t = loadImageFolder(dir, { size: 2 });
    expect(t.m).toBe(2);
    expect(t.target).toEqual({ kind: 'labels', name: 'class', values: ['cat', 'dog'] });
    expect(t.notes).toEqual([
      '2 images in 2 classes (cat, dog), resized to 2x2x3 = 12 features, scaled to [0, 1]',
      'ignored hidden folders .git, .ipynb_checkpoints (names starting with "." are not classes)',
    ]);
  });

  it('subfolders inside a class folder are named in a note, not silently skipped', () => {
    const dir = folder('nested', { 'cat/1.png': png(4, 20), 'cat/kittens/2.png': png(4, 30), 'cat/old/3.png': png(4, 40), 'dog/1.png': png(4, 200) });
    const t = loadImageFolder(dir, { size: 2 });
    expect(t.m).toBe(2);
    expect(t.notes).toContain('not read: subfolders inside class folders (cat/kittens, cat/old); only the images directly in a class folder are used (move them up, or make them classes)');
  });

  it('an empty class folder is named in a note and is not a class', () => {
    const dir = folder('empty', { 'cat/1.png': png(4, 20), 'dog/1.png': png(4, 200), 'bird/readme.txt': 'no images yet' });
    mkdirSync(join(dir, 'fish'));
    const t = loadImageFolder(dir, { size: 2 });
    expect(t.notes[0]).toBe('2 images in 2 classes (cat, dog), resized to 2x2x3 = 12 features, scaled to [0, 1]');
    expect(t.notes).toContain('not a class: "bird", "fish" have no .png, .jpg or .jpeg images directly inside');
    expect(new Set((t.target as { values: readonly string[] }).values)).toEqual(new Set(['cat', 'dog']));
  });

  it('only hidden folders: the error says they are not classes', () => {
    const dir = folder('only-hidden', { '.git/HEAD': 'ref' });
    expect(() => loadImageFolder(dir)).toThrow(`${dir}: expected one subfolder per class with PNG or JPEG images, found no subfolders (hidden folders such as .git are not classes)`);
  });

  it('a skipped image leaves no gap: the kept columns are the decoded images, in order', () => {
    const dir = folder('skip', { 'a/1.png': png(2, 10), 'a/2.png': 'broken', 'b/1.png': png(2, 250), 'b/2.png': png(2, 130) });
    const warnings: string[] = [];
    const t = loadImageFolder(dir, { size: 1, skipBadImages: true, warn: (w) => warnings.push(w) });
    expect(t.m).toBe(3);
    expect(warnings).toHaveLength(1);
    // (3 features, 3 examples): each row holds the grey level of the three decoded images.
    for (let k = 0; k < 3; k++) expect(Array.from(t.features.subarray(k * 3, k * 3 + 3), (v) => Math.round(v * 255))).toEqual([10, 250, 130]);
    expect(t.features).toHaveLength(9);
  });

  it('decodes and resizes one image at a time: peak memory stays far below all the decoded images together', async () => {
    // 40 PNGs of 1500x1500 are 360 MB as decoded RGBA. Holding them all before resizing (as the loader once did)
    // raised the child's peak RSS by about 400 MB; one at a time it rises by about 100 MB.
    const side = 1500;
    const count = 40;
    const one = png(side, 0, { rows: true, fast: true });
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < count; i++) files[`${i % 2 ? 'b' : 'a'}/${i}.png`] = one;
    const dir = folder('large', files);
    const script = [
      "const { loadImageFolder } = await import('./src/cli/data/images.ts');",
      'const before = process.resourceUsage().maxRSS;',
      `const t = loadImageFolder(${JSON.stringify(dir)}, { size: 4 });`,
      'console.log(JSON.stringify({ m: t.m, grewKiB: process.resourceUsage().maxRSS - before }));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as { m: number; grewKiB: number };
    expect(r.m).toBe(count);
    const decodedMiB = (count * side * side * 4) / 2 ** 20;
    expect(r.grewKiB / 1024).toBeLessThan(decodedMiB / 2);
  }, 60_000);
});

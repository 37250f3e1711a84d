/**
 * `predict` on data without labels (issue 14): a folder of unlabeled images, flat or in any subfolders, gets one
 * prediction per file, named; a CSV's target column that predict does not need (blank or unseen labels) is ignored.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An 8x8 PNG, dark or light with a little noise from `k`. */
function png(light: boolean, k: number): Buffer {
  const img = new PNG({ width: 8, height: 8 });
  for (let i = 0; i < 64; i++) {
    const v = (light ? 200 : 40) + ((i * 7 + k * 13) % 30);
    img.data.set([v, v, v, 255], i * 4);
  }
  return PNG.sync.write(img);
}

describe('predict without labels', () => {
  it('a folder of unlabeled images, flat or in subfolders: one named prediction per image', async () => {
    const train = join(dir, 'train');
    for (const [cls, light] of [['dark', false], ['light', true]] as const) {
      mkdirSync(join(train, cls), { recursive: true });
      for (let k = 0; k < 12; k++) writeFileSync(join(train, cls, `${k}.png`), png(light, k));
    }
    const out = join(dir, 'run');
    const t = await cli(['train', '--data', train, '--image-size', '8', '--layers', 'none', '--lr', '0.05', '--epochs', '100', '--split', '1,0', '--out', out]);
    expect(t.code, t.stderr).toBe(0);
    const fresh = join(dir, 'new');
    mkdirSync(join(fresh, 'more', 'deeper'), { recursive: true });
    mkdirSync(join(fresh, '.hidden'), { recursive: true });
    writeFileSync(join(fresh, 'a.png'), png(true, 99));
    writeFileSync(join(fresh, 'more', 'b.png'), png(false, 98));
    writeFileSync(join(fresh, 'more', 'deeper', 'c.png'), png(true, 97));
    writeFileSync(join(fresh, '.hidden', 'x.png'), png(true, 1));
    writeFileSync(join(fresh, 'notes.txt'), 'not an image');
    const p = await cli(['predict', '--model', join(out, 'model'), '--data', fresh, '--out', join(dir, 'preds.csv')]);
    expect(p.code, p.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'preds.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('file,prediction,p_dark,p_light');
    const byFile = new Map(lines.slice(1).map((l) => [l.split(',')[0], l.split(',')[1]]));
    expect([...byFile.keys()].sort()).toEqual(['a.png', join('more', 'b.png'), join('more', 'deeper', 'c.png')]);
    expect(byFile.get('a.png')).toBe('light');
    expect(byFile.get(join('more', 'b.png'))).toBe('dark');
    expect(byFile.get(join('more', 'deeper', 'c.png'))).toBe('light');
  }, 120_000);

  it("a CSV's target column is ignored by predict: blank cells and labels the model never saw", async () => {
    const rows = ['x1,x2,kind'];
    for (let i = 0; i < 40; i++) rows.push(`${i % 2 === 0 ? 1 + (i % 5) * 0.1 : -1 - (i % 5) * 0.1},${(i % 7) * 0.1},${i % 2 === 0 ? 'cat' : 'dog'}`);
    writeFileSync(join(dir, 'pets.csv'), rows.join('\n') + '\n');
    const out = join(dir, 'pets');
    const t = await cli(['train', '--data', join(dir, 'pets.csv'), '--epochs', '50', '--out', out]);
    expect(t.code, t.stderr).toBe(0);
    writeFileSync(join(dir, 'new.csv'), 'x1,x2,kind\n1.2,0.3,\n-1.1,0.2,bird\n');
    const p = await cli(['predict', '--model', join(out, 'model'), '--data', join(dir, 'new.csv')]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim().split('\n').map((l) => l.split(',')[0])).toEqual(['prediction', 'cat', 'dog']);
  }, 120_000);
});

/**
 * End-to-end: the real command, in child processes, on small data: train,
 * evaluate, predict, inspect, search, resume, and every bad input with its
 * message and a non-zero exit code.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose, makeMoons } from '../../src/index.js';
import { loadModel } from '../../src/node/index.js';
import { cli, lastJson } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'layerwise-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const p = (name: string) => join(dir, name);

// A labelled CSV: two numeric features, a categorical one, and a string target.
function writeMoonsCsv(file: string, m: number, seed: number, withTarget = true): void {
  const { X, Y } = makeMoons({ m, seed, noise: 0.15 });
  const rows = [withTarget ? 'x1,x2,colour,kind' : 'x1,x2,colour'];
  for (let j = 0; j < m; j++) {
    const colour = j % 3 === 0 ? 'red' : j % 3 === 1 ? 'green' : 'blue';
    rows.push([X.get(0, j).toFixed(5), X.get(1, j).toFixed(5), colour, ...(withTarget ? [Y.get(0, j) === 1 ? 'lower' : 'upper'] : [])].join(','));
  }
  writeFileSync(file, rows.join('\n') + '\n');
}

beforeAll(() => {
  writeMoonsCsv(p('moons.csv'), 300, 1);
  writeMoonsCsv(p('moons-new.csv'), 20, 2, false);
});

describe('layerwise train / evaluate / predict / inspect', () => {
  let trainJson: Record<string, unknown>;
  beforeAll(async () => {
    const r = await cli(['train', '--data', p('moons.csv'), '--layers', '16,8', '--activation', 'tanh', '--epochs', '40', '--batch-size', '32', '--lr', '0.01', '--out', p('run'), '--json']);
    expect(r.stderr).toContain('task: classification (detected: the target "kind" holds labels');
    expect(r.code).toBe(0);
    trainJson = lastJson(r);
  }, 120_000);

  it('prints the documented JSON summary as the last stdout line', () => {
    expect(Object.keys(trainJson).sort()).toEqual(['dev', 'diagnosis', 'epochs', 'examples', 'model', 'seconds', 'task', 'test', 'train'].sort());
    expect(trainJson.task).toBe('classification');
    expect(trainJson.examples).toEqual({ train: 240, dev: 30, test: 30 });
    expect(trainJson.epochs).toBe(40);
    const train = trainJson.train as { cost: number; accuracy: number };
    expect(train.accuracy).toBeGreaterThan(0.9);
    const dev = trainJson.dev as { cost: number; accuracy: number };
    // The diagnosis is the course's bias/variance reading of these two errors, with its advice.
    const diag = trainJson.diagnosis as { verdict: string; advice: string[] };
    const expected = diagnose({ trainError: 1 - train.accuracy, devError: 1 - dev.accuracy });
    expect(diag.verdict).toBe(expected.verdict);
    expect(diag.advice).toEqual(expected.advice);
  });

  it('writes the model, history.csv (one row per epoch) and a self-contained report.html', () => {
    const history = readFileSync(p('run/history.csv'), 'utf8').trim().split('\n');
    expect(history[0]).toBe('epoch,train_cost,train_unregularized_cost,dev_cost,dev_accuracy,learning_rate,seconds');
    expect(history).toHaveLength(41);
    const report = readFileSync(p('run/report.html'), 'utf8');
    expect(report).toContain('<svg');
    expect(report).toContain('Confusion matrix');
    expect(report).not.toMatch(/<script|https?:\/\//);
    const { network, metadata } = loadModel(p('run/model'));
    expect(network.layerDims).toEqual([5, 16, 8, 1]); // x1, x2 and colour one-hot (3)
    expect(metadata.classes).toEqual(['lower', 'upper']);
  });

  it('evaluate prints metrics and the confusion matrix', async () => {
    const r = await cli(['evaluate', '--model', p('run/model'), '--data', p('moons.csv'), '--json']);
    expect(r.code).toBe(0);
    const j = lastJson(r);
    expect(j.examples).toBe(300);
    expect((j.confusionMatrix as number[][]).flat().reduce((a, b) => a + b, 0)).toBe(300);
    expect(j.accuracy as number).toBeGreaterThan(0.9);
    const human = await cli(['evaluate', '--model', p('run/model'), '--data', p('moons.csv')]);
    expect(human.stdout).toContain('confusion matrix (rows: true class, columns: predicted)');
  });

  it('predict writes the original label names and class probabilities', async () => {
    const r = await cli(['predict', '--model', p('run/model'), '--data', p('moons-new.csv'), '--out', p('preds.csv')]);
    expect(r.code).toBe(0);
    const lines = readFileSync(p('preds.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('prediction,p_lower,p_upper');
    expect(lines).toHaveLength(21);
    for (const line of lines.slice(1)) {
      const [label, a, b] = line.split(',');
      expect(['lower', 'upper']).toContain(label);
      expect(Number(a) + Number(b)).toBeCloseTo(1, 5);
      expect(label).toBe(Number(a) > Number(b) ? 'lower' : 'upper');
    }
  });

  it('inspect shows the architecture, parameter counts and configuration', async () => {
    const r = await cli(['inspect', '--model', p('run/model')]);
    expect(r.code).toBe(0);
    // 16*5+16 = 96, 8*16+8 = 136, 1*8+1 = 9
    expect(r.stdout).toMatch(/1\s+W1 \(16, 5\)\s+tanh\s+96/);
    expect(r.stdout).toContain('total parameters: 241');
    expect(r.stdout).toContain('classes lower, upper');
    const j = lastJson(await cli(['inspect', '--model', p('run/model'), '--json']));
    expect(j.totalParameters).toBe(241);
  });

  it('stops quietly when its reader closes the pipe early (predict ... | head -1)', () => {
    // A pipe's buffer holds 64 KiB: 3,000 rows of predictions overflow it after head has gone.
    writeMoonsCsv(p('many.csv'), 3000, 3, false);
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" --import tsx src/cli/main.ts predict --model "${p('run/model')}" --data "${p('many.csv')}" | head -1`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toHaveLength(2);
  });
});

describe('layerwise search', () => {
  it('runs seeded trials, reports the best on the dev set, and is reproducible', async () => {
    const args = ['search', '--data', 'moons', '--trials', '3', '--epochs', '5', '--layers', '8', '--space', '{"lr":{"logUniform":[0.001,0.1]},"layers":{"choice":[[4],[16]]}}', '--json'];
    const a = await cli([...args, '--out', p('s1')]);
    expect(a.code).toBe(0);
    const ja = lastJson(a) as { trials: { score: number; config: unknown }[]; best: { score: number } };
    expect(ja.trials).toHaveLength(3);
    expect(ja.best.score).toBe(Math.min(...ja.trials.map((t) => t.score)));
    expect(JSON.parse(readFileSync(p('s1/best.json'), 'utf8')).score).toBe(ja.best.score);
    const b = lastJson(await cli([...args, '--out', p('s2')])) as typeof ja;
    expect(b.trials.map((t) => t.config)).toEqual(ja.trials.map((t) => t.config));
  }, 120_000);
});

describe('checkpoints and --resume', () => {
  it('a run killed after a checkpoint and resumed ends with the same weights as an uninterrupted run', async () => {
    const args = ['train', '--data', 'moons', '--layers', '32,16', '--epochs', '60', '--batch-size', '16', '--keep-prob', '0.9', '--checkpoint-every', '1', '--json'];
    const full = await cli([...args, '--out', p('full')]);
    expect(full.code).toBe(0);
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--out', p('cut')], { stdio: 'ignore' });
    const latest = p('cut/checkpoint/latest.json');
    const t0 = Date.now();
    while (!existsSync(latest) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const name = JSON.parse(readFileSync(latest, 'utf8')).checkpoint as string;
    const epochAtKill = JSON.parse(readFileSync(p(`cut/checkpoint/${name}/state.json`), 'utf8')).epoch as number;
    expect(epochAtKill).toBeLessThan(59);
    const resumed = await cli(['train', '--resume', p('cut'), '--json', '--out', p('cut')]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${p('cut')} after epoch ${epochAtKill + 1} of 60`);
    const a = loadModel(p('full/model')).network;
    const b = loadModel(p('cut/model')).network;
    expect(Array.from(b.parameters.W1!.data)).toEqual(Array.from(a.parameters.W1!.data));
    expect(Array.from(b.parameters.W3!.data)).toEqual(Array.from(a.parameters.W3!.data));
    expect(readFileSync(p('cut/history.csv'), 'utf8').split('\n').length).toBe(readFileSync(p('full/history.csv'), 'utf8').split('\n').length);
  }, 120_000);
});

describe('bad input: clear message, non-zero exit, nothing half-written', () => {
  const expectError = async (args: string[], message: string | RegExp) => {
    const r = await cli(args);
    expect(r.code).not.toBe(0);
    if (typeof message === 'string') expect(r.stderr).toContain(message);
    else expect(r.stderr).toMatch(message);
  };
  const csv = (name: string, text: string) => {
    writeFileSync(p(name), text);
    return p(name);
  };

  it('data files', async () => {
    await expectError(['train', '--data', p('missing.csv'), '--out', p('x')], `${p('missing.csv')}: no such file or folder`);
    await expectError(['train', '--data', csv('empty.csv', ''), '--out', p('x')], 'the file is empty (expected a header row and data rows)');
    await expectError(['train', '--data', csv('header.csv', 'a,b,y\n'), '--out', p('x')], 'only a header row, no data rows');
    await expectError(['train', '--data', csv('ragged.csv', 'a,b,y\n1,2,0\n3,1\n'), '--out', p('x')], `${p('ragged.csv')}: row 3: expected 3 fields like the header, got 2`);
    await expectError(['train', '--data', csv('word.csv', 'a,b,y\n1,2,0\n3,x,1\n4,5,0\n6,7,1\n'), '--out', p('x')], `${p('word.csv')}: row 3, column "b": expected a number, got "x"`);
    await expectError(['train', '--data', csv('hole.csv', 'a,b,y\n1,2,0\n3,,1\n'), '--out', p('x')], 'row 3, column "b": missing value (empty cell)');
    await expectError(['train', '--data', p('moons.csv'), '--target', 'price', '--out', p('x')], 'target column "price" is not in the header (columns: x1, x2, colour, kind)');
    await expectError(['train', '--data', csv('one.csv', 'a,b,y\n1,2,cat\n3,4,cat\n'), '--out', p('x')], 'the target "y" has a single class ("cat"); a classifier needs at least two');
    await expectError(['train', '--data', 'imagenet', '--out', p('x')], '--data: unknown built-in dataset "imagenet" (expected one of mnist, planar, moons, circles, spiral, xor, gaussian');
  }, 120_000);

  it('options', async () => {
    await expectError(['train', '--data', 'moons', '--lr', '-1'], '--lr: expected a number in (0, Infinity), got "-1"');
    await expectError(['train', '--data', 'moons', '--keep-prob', '1.5'], '--keep-prob: expected a number in (0, 1], got "1.5"');
    await expectError(['train', '--data', 'moons', '--split', '0.5,0.2,0.2'], '--split: ratios must sum to 1');
    await expectError(['train', '--data', 'moons', '--optimizer', 'sgd'], '--optimizer: expected one of gd, momentum, rmsprop, adam, got "sgd"');
  });

  it('predict data whose columns differ from training names the missing and extra ones', async () => {
    await expectError(['predict', '--model', p('run/model'), '--data', csv('other.csv', 'x1,z,colour\n1,2,red\n')], 'columns differ from training: missing "x2"; extra "z"');
  });

  it('model folders: missing, truncated, newer format, bad checksum', async () => {
    await expectError(['inspect', '--model', p('nope')], `--model: ${p('nope')}: expected a model folder, but it does not exist`);
    const copy = (name: string) => {
      const d = p(name);
      mkdirSync(d, { recursive: true });
      for (const f of ['model.json', ...readFileSync(p('run/model/model.json'), 'utf8').match(/weights-[0-9a-f]{8}\.bin/g)!]) writeFileSync(join(d, f), readFileSync(join(p('run/model'), f)));
      return d;
    };
    const t = copy('trunc');
    writeFileSync(join(t, 'model.json'), readFileSync(join(t, 'model.json'), 'utf8').slice(0, 100));
    await expectError(['inspect', '--model', t], 'not valid JSON');
    const v = copy('newer');
    const mv = JSON.parse(readFileSync(join(v, 'model.json'), 'utf8'));
    mv.formatVersion = 99;
    writeFileSync(join(v, 'model.json'), JSON.stringify(mv));
    await expectError(['inspect', '--model', v], 'the model is format version 99, from a newer layerwise');
    const c = copy('corrupt');
    const wfile = JSON.parse(readFileSync(join(c, 'model.json'), 'utf8')).weights.file as string;
    const bytes = readFileSync(join(c, wfile));
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(join(c, wfile), bytes);
    await expectError(['evaluate', '--model', c, '--data', p('moons.csv')], /checksum mismatch: expected crc32 [0-9a-f]{8}, got [0-9a-f]{8}/);
  }, 60_000);

  it('an image that cannot be decoded is named; --skip-bad-images skips it with a warning', async () => {
    const imgs = p('imgs');
    for (const c of ['a', 'b']) mkdirSync(join(imgs, c), { recursive: true });
    const { PNG } = await import('pngjs');
    for (let i = 0; i < 6; i++) {
      for (const c of ['a', 'b']) {
        const png = new PNG({ width: 8, height: 8 });
        png.data.fill(c === 'a' ? 30 + i : 220 - i);
        for (let k = 3; k < png.data.length; k += 4) png.data[k] = 255;
        writeFileSync(join(imgs, c, `${i}.png`), PNG.sync.write(png));
      }
    }
    writeFileSync(join(imgs, 'a', 'broken.png'), 'not a png');
    await expectError(['train', '--data', imgs, '--image-size', '4', '--out', p('img-run')], `${join(imgs, 'a', 'broken.png')}: cannot decode the image`);
    expect(existsSync(p('img-run/model'))).toBe(false);
    const ok = await cli(['train', '--data', imgs, '--image-size', '4', '--skip-bad-images', '--epochs', '2', '--split', '0.6,0.2,0.2', '--out', p('img-run'), '--json']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`warning: skipped ${join(imgs, 'a', 'broken.png')}`);
    expect(ok.stderr).toContain('12 images in 2 classes (a, b), resized to 4x4x3 = 48 features');
  }, 60_000);
});

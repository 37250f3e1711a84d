/**
 * The --out folder: one process at a time (a lock naming its holder, taken
 * over when its process is gone, released on errors and signals), never a
 * file layerwise did not write replaced or removed, an unwritable folder
 * refused before training, --resume refusing a checkpoint of another run, and
 * class names that must match the output layer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/node/index.js';
import { unwritableFolder } from '../node/helpers.js';
import { cli } from './run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'layerwise-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const p = (name: string) => join(root, name);
const LOCK = '.layerwise.lock';

const train = (out: string, ...extra: string[]) => cli(['train', '--data', 'moons', '--layers', '4', '--epochs', '2', '--out', out, '--json', ...extra]);
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
const exited = (child: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
const firstLine = (child: ChildProcess) => new Promise<string>((r) => child.stdout!.once('data', (d: Buffer) => r(d.toString().trim())));
async function until(test: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!test()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('one process at a time', () => {
  it('a second train on the same --out is refused, naming the first; the lock of a killed run is taken over with a note', async () => {
    const out = p('busy');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'train', '--data', 'moons', '--layers', '32,16', '--epochs', '100000', '--batch-size', '4', '--checkpoint-every', '1', '--out', out, '--json'], { stdio: 'ignore' });
    const gone = exited(child);
    await until(() => existsSync(join(out, 'checkpoint', 'latest.json')));
    const second = await train(out);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`layerwise: error: --out: ${out}: in use by another layerwise process: \`layerwise train\` (pid ${child.pid} on this host, started `);
    expect(second.stderr).toContain(`wait for it to finish or choose another --out (if that process has ended, delete ${join(out, LOCK)})`);
    child.kill('SIGKILL');
    await gone;
    expect(existsSync(join(out, LOCK))).toBe(true);
    const third = await train(out);
    expect(third.code).toBe(0);
    expect(third.stderr).toContain(`note: --out: took over the lock of \`layerwise train\` (pid ${child.pid}, started `);
    expect(third.stderr).toContain('which is no longer running');
    expect(existsSync(join(out, LOCK))).toBe(false);
  }, 120_000);

  it('an error releases the lock; a run that wrote nothing leaves no folder it created', async () => {
    const r = await train(p('never'), '--data', p('missing.csv'));
    expect(r.code).not.toBe(0);
    expect(existsSync(p('never'))).toBe(false);
    const kept = p('kept');
    expect((await train(kept)).code).toBe(0);
    const before = readdirSync(kept).sort();
    const failed = await train(kept, '--data', p('missing.csv'));
    expect(failed.code).not.toBe(0);
    expect(readdirSync(kept).sort()).toEqual(before);
  }, 60_000);

  it('SIGINT and SIGTERM release the lock while the run waits; during synchronous work they end it at once', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const out = p(`signal-${signal}/run`);
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/cli/hold-out-dir.ts', out, 'wait'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const gone = exited(child);
      expect(await firstLine(child)).toBe('locked');
      expect(json(join(out, LOCK)).pid).toBe(child.pid);
      child.kill(signal);
      expect(await gone).toEqual({ code: null, signal });
      expect(existsSync(p(`signal-${signal}`))).toBe(false); // it created both folders and wrote nothing
    }
    const out = p('computing');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/cli/hold-out-dir.ts', out, 'compute'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const gone = exited(child);
    expect(await firstLine(child)).toBe('computing');
    const t0 = Date.now();
    child.kill('SIGINT');
    expect(await gone).toEqual({ code: null, signal: 'SIGINT' });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(json(join(out, LOCK)).pid).toBe(child.pid); // left for the next run to take over
  }, 60_000);
});

describe('files layerwise did not write', () => {
  const userFolder = (name: string) => {
    const dir = p(name);
    mkdirSync(join(dir, 'model'), { recursive: true });
    mkdirSync(join(dir, 'checkpoint'));
    writeFileSync(join(dir, 'report.html'), 'my report');
    writeFileSync(join(dir, 'history.csv'), 'my,history\n');
    writeFileSync(join(dir, 'model', 'notes.txt'), 'my notes');
    writeFileSync(join(dir, 'checkpoint', 'mine.txt'), 'mine');
    return dir;
  };
  const unchanged = (dir: string) => {
    expect(readdirSync(dir).sort()).toEqual(['checkpoint', 'history.csv', 'model', 'report.html']);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toBe('my report');
    expect(readFileSync(join(dir, 'history.csv'), 'utf8')).toBe('my,history\n');
    expect(readdirSync(join(dir, 'model'))).toEqual(['notes.txt']);
    expect(readdirSync(join(dir, 'checkpoint'))).toEqual(['mine.txt']);
  };

  it('a non-empty folder that is not a layerwise run is refused; --force still never replaces the user\'s files', async () => {
    const dir = userFolder('mine');
    const r = await train(dir, '--checkpoint-every', '1');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`--out: ${dir}: the folder holds files layerwise did not write (checkpoint, history.csv, model, report.html) and is not a layerwise run; choose a new or empty folder, or pass --force to write next to them`);
    unchanged(dir);
    const forced = await train(dir, '--checkpoint-every', '1', '--force');
    expect(forced.code).not.toBe(0);
    expect(forced.stderr).toContain(`--out: ${dir}: model/, history.csv, report.html, checkpoint/ were not written by layerwise, and this run would replace them; move them or choose another --out (--force never replaces files layerwise did not write)`);
    unchanged(dir);
  }, 60_000);

  it('--force next to unrelated files keeps them and lists what the run wrote; the folder is then a run that needs no --force', async () => {
    const dir = p('shared');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect((await train(dir)).code).not.toBe(0);
    expect((await train(dir, '--force')).code).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    const run = json(join(dir, 'layerwise-run.json'));
    expect(run.files).toEqual(['history.csv', 'model/', 'report.html']);
    expect(run.runId).toBe((json(join(dir, 'model', 'model.json')).metadata as { runId: string }).runId);
    expect((await train(dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  }, 60_000);

  it('a run folder from a layerwise without layerwise-run.json is recognized by its files', async () => {
    const dir = p('legacy');
    expect((await train(dir)).code).toBe(0);
    rmSync(join(dir, 'layerwise-run.json'));
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect((await train(dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  }, 60_000);

  it('search follows the same rule', async () => {
    const dir = p('search-mine');
    mkdirSync(dir);
    writeFileSync(join(dir, 'best.json'), '{"mine":true}');
    const r = await cli(['search', '--data', 'moons', '--trials', '1', '--epochs', '1', '--out', dir, '--force']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`--out: ${dir}: best.json was not written by layerwise, and this run would replace it; move it or choose another --out`);
    expect(readFileSync(join(dir, 'best.json'), 'utf8')).toBe('{"mine":true}');
  }, 60_000);
});

describe('an unwritable --out', () => {
  it('fails before the data is loaded, naming the user\'s path', async () => {
    const ro = unwritableFolder();
    if (ro === null) return;
    const inside = join(ro, 'layerwise-run');
    const r = await train(inside);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`layerwise: error: --out: ${inside}: cannot create the folder: .* \\((EACCES|EPERM|EROFS)\\); choose a folder you can write to`));
    expect(r.stderr).not.toContain('examples:');
    const there = await train(ro, '--force');
    expect(there.code).not.toBe(0);
    expect(there.stderr).toMatch(new RegExp(`layerwise: error: --out: ${ro}: cannot write in the folder: .* \\((EACCES|EPERM|EROFS)\\); choose a folder you can write to`));
    expect(there.stderr).not.toContain('examples:');
    expect(there.stderr).not.toContain('.tmp-');
  }, 60_000);
});

describe('--resume and the run\'s identity', () => {
  it('a later run without checkpoints removes the earlier run\'s checkpoint, so --resume cannot replace its model', async () => {
    const dir = p('stale');
    expect((await train(dir, '--layers', '8', '--epochs', '3', '--checkpoint-every', '1')).code).toBe(0);
    expect((await train(dir)).code).toBe(0);
    expect(existsSync(join(dir, 'checkpoint'))).toBe(false);
    const r = await cli(['train', '--resume', dir, '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`--resume: ${dir}: no checkpoint found`);
    expect(loadModel(join(dir, 'model')).network.layerDims).toEqual([2, 4, 1]);
  }, 60_000);

  it('a checkpoint of another, older run is refused, naming both runs (or, for files without run ids, the options that differ)', async () => {
    const old = p('older');
    expect((await train(old, '--layers', '8', '--checkpoint-every', '1')).code).toBe(0);
    const dir = p('newer');
    expect((await train(dir)).code).toBe(0);
    cpSync(join(old, 'checkpoint'), join(dir, 'checkpoint'), { recursive: true });
    const modelJson = () => readFileSync(join(dir, 'model', 'model.json'), 'utf8');
    const before = modelJson();
    const r = await cli(['train', '--resume', dir, '--json']);
    expect(r.code).not.toBe(0);
    const oldId = json(join(old, 'layerwise-run.json')).runId as string;
    const newId = json(join(dir, 'layerwise-run.json')).runId as string;
    expect(r.stderr).toMatch(new RegExp(`--resume: ${dir}: the checkpoint \\(run ${oldId}, after epoch 2 of 2, saved [0-9T:.Z-]+\\) is older than the model in ${join(dir, 'model')}, which another run wrote \\(run ${newId}, saved [0-9T:.Z-]+; trained with other options: layers \\[4\\] \\(the checkpoint's: \\[8\\]\\)\\); resuming would replace that newer model with the older run's`));
    expect(modelJson()).toBe(before);
    // Files written before run ids: the options tell the runs apart.
    const strip = (file: string, inMetadata: boolean) => {
      const v = json(file);
      delete (inMetadata ? (v.metadata as Record<string, unknown>) : v).runId;
      writeFileSync(file, JSON.stringify(v));
    };
    const cdir = join(dir, 'checkpoint', json(join(dir, 'checkpoint', 'latest.json')).checkpoint as string);
    strip(join(dir, 'model', 'model.json'), true);
    strip(join(cdir, 'model', 'model.json'), true);
    strip(join(cdir, 'state.json'), false);
    const legacy = await cli(['train', '--resume', dir, '--json']);
    expect(legacy.code).not.toBe(0);
    expect(legacy.stderr).toContain('trained with other options: layers [4] (the checkpoint\'s: [8])');
  }, 60_000);

  it('a resumed run writes into the folder it resumes, not the --out it was started with', async () => {
    const dir = p('moved');
    expect((await train(dir, '--checkpoint-every', '1')).code).toBe(0);
    const cdir = join(dir, 'checkpoint', json(join(dir, 'checkpoint', 'latest.json')).checkpoint as string);
    const state = json(join(cdir, 'state.json'));
    (state.options as Record<string, unknown>).out = p('elsewhere'); // where the folder was when it started
    writeFileSync(join(cdir, 'state.json'), JSON.stringify(state));
    const r = await cli(['train', '--resume', dir, '--json']);
    expect(r.code).toBe(0);
    expect(existsSync(p('elsewhere'))).toBe(false);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).model).toBe(join(dir, 'model'));
  }, 60_000);
});

describe('a model\'s class names', () => {
  let base = '';
  beforeAll(async () => {
    base = p('base');
    expect((await train(base)).code).toBe(0);
  }, 60_000);

  it('must match the output layer\'s units', async () => {
    const dir = p('classes');
    cpSync(join(base, 'model'), dir, { recursive: true });
    const m = json(join(dir, 'model.json'));
    (m.metadata as { classes: string[] }).classes = ['a', 'b', 'c'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(m));
    const r = await cli(['inspect', '--model', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`--model: ${dir}: model.json metadata.classes: 3 class names, but the output layer has 1 sigmoid unit (2 classes); the metadata does not belong to this network`);
  }, 60_000);
});

/**
 * The distributed search on a real Redis server and real worker processes
 * (issue 18): the same trials and dev scores as the local search, a worker
 * killed mid-trial (BullMQ's stalled-job check gives its trial to another),
 * a search command killed and re-attached, a Redis restart (the append-only
 * file keeps the results), a worker with another data file, a diverging
 * trial, and the bad inputs. Small data (moons) and few epochs: the file
 * runs in about a minute on two cores.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { randomSearch } from '../../src/diagnose/search.js';
import { RedisTrialQueue } from '../../src/distributed/redis-queue.js';
import { startTrialWorker, threadExecArgv, type TrialWorker } from '../../src/distributed/worker.js';
import { describeRedis, freePort, startRedis, type TestRedis } from '../redis.js';
import { lastJson, MAIN, run, start, startWorker, TSX_API, type Running } from './helpers.js';

interface SearchJson {
  trials: { trial: number; config: Record<string, unknown>; score: number; seconds: number }[];
  best: { trial: number; score: number };
  aborted: boolean;
  search?: string;
  failed?: { trial: number; config: Record<string, unknown>; reason: string }[];
}

const SPACE = JSON.stringify({ lr: { logUniform: [0.001, 0.1] }, layers: { choice: [[8], [16, 8]] }, l2: { choice: [0, 0.01] } });
const SEARCH = ['search', '--data', 'moons', '--trials', '6', '--epochs', '4', '--seed', '3', '--space', SPACE, '--json'];

describeRedis('distributed search: BullMQ on a real Redis, real workers', () => {
  let redis: TestRedis;
  let dir: string;
  const workers: Running[] = [];
  let localRun: Promise<SearchJson>;
  /** The search of the first test, attached to again after a Redis restart. */
  let first: SearchJson;

  beforeAll(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'layerwise-distributed-'));
    // The local search runs while the workers start.
    localRun = run([...SEARCH, '--out', join(dir, 'local')]).then((f) => lastJson<SearchJson>(f));
    workers.push(...(await Promise.all(['w1', 'w2', 'w3'].map((n) => startWorker(redis.url(1), n)))));
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.done));
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('3 workers give the same trials, configurations and dev scores as the local search with the same seed', async () => {
    const f = await run([...SEARCH, '--queue', redis.url(1), '--out', join(dir, 'dist')]);
    expect(f.code, f.stderr).toBe(0);
    first = lastJson<SearchJson>(f);
    const local = await localRun;
    const strip = (r: SearchJson) => r.trials.map((t) => ({ trial: t.trial, config: t.config, score: t.score }));
    expect(first.trials).toHaveLength(6);
    expect(strip(first)).toEqual(strip(local));
    expect(first.best).toEqual(local.best);
    expect(first.failed).toEqual([]);
    // The same trials.csv, seconds aside.
    const rows = (d: string) => readFileSync(join(dir, d, 'trials.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, -1).join(','));
    expect(rows('dist')).toEqual(rows('local'));
    expect(JSON.parse(readFileSync(join(dir, 'dist', 'best.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(dir, 'local', 'best.json'), 'utf8')));
    // Progress and the id to attach with were said on stderr.
    expect(f.stderr).toMatch(new RegExp(`search ${first.search}: 6 trials queued`));
    expect(f.stderr).toMatch(/progress: 6\/6 done, 0 running, 0 waiting, 0 failed; best so far: trial \d, dev error/);
  });

  it('a worker SIGKILLed mid-trial: its trial goes to another worker (stalled-job check) and every trial is in the results once', async () => {
    // Trials of a second or two, so that one is surely running when its worker is killed.
    const search = start(['search', '--data', 'moons', '--trials', '4', '--epochs', '6000', '--layers', '16,8', '--space', '{"lr":{"choice":[0.01,0.02,0.03]}}', '--json', '--queue', redis.url(1), '--out', join(dir, 'kill')]);
    const id = (await search.waitFor(/search (\w+): 4 trials queued/))[1]!;
    const started = new RegExp(`trial (\\d+) of search ${id}: started`);
    const victim = await Promise.any(workers.map((w, i) => w.waitFor(started, 60_000).then((m) => ({ i, trial: m[1]! }))));
    await new Promise((r) => setTimeout(r, 300));
    workers[victim.i]!.kill('SIGKILL');
    const killed = await workers[victim.i]!.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stderr).not.toMatch(new RegExp(`trial ${victim.trial} of search ${id}: done`));
    const f = await search.done;
    expect(f.code, f.stderr).toBe(0);
    const result = lastJson<SearchJson>(f);
    expect(result.trials.map((t) => t.trial).sort()).toEqual([1, 2, 3, 4]);
    expect(result.failed).toEqual([]);
    // Another worker trained the killed worker's trial to the end.
    const others = workers.filter((_, i) => i !== victim.i);
    expect(others.some((w) => w.stderr().includes(`trial ${victim.trial} of search ${id}: done`))).toBe(true);
    workers.splice(victim.i, 1);
  }, 90_000);

  it('the search command killed and re-attached: the search went on, and the attached command gets every result', async () => {
    const search = start(['search', '--data', 'moons', '--trials', '5', '--epochs', '300', '--space', SPACE, '--queue', redis.url(1), '--out', join(dir, 'attach')]);
    const id = (await search.waitFor(/search (\w+): 5 trials queued/))[1]!;
    search.kill('SIGKILL');
    expect((await search.done).signal).toBe('SIGKILL');
    const f = await run(['search', '--queue', redis.url(1), '--attach', id, '--json', '--out', join(dir, 'attach2')]);
    expect(f.code, f.stderr).toBe(0);
    const result = lastJson<SearchJson>(f);
    expect(result.search).toBe(id);
    expect(result.trials.map((t) => t.trial).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(f.stderr).toMatch(new RegExp(`search ${id}: attached \\(5 trials\\)`));
    expect(readFileSync(join(dir, 'attach2', 'trials.csv'), 'utf8').trim().split('\n')).toHaveLength(6);
  }, 90_000);

  it('a diverging trial is reported failed with its reason, at once (no retries); the others complete', async () => {
    const f = await run(['search', '--data', 'moons', '--trials', '4', '--epochs', '3', '--optimizer', 'gd', '--seed', '2', '--space', '{"lr":{"choice":[0.01,1000000]}}', '--json', '--queue', redis.url(1), '--out', join(dir, 'diverge')]);
    expect(f.code, f.stderr).toBe(0);
    const result = lastJson<SearchJson>(f);
    expect(result.failed!.length).toBeGreaterThan(0);
    expect(result.trials.length).toBeGreaterThan(0);
    expect(result.trials.length + result.failed!.length).toBe(4);
    for (const t of result.failed!) {
      expect(t.config.lr).toBe(1000000);
      expect(t.reason).toMatch(/^training diverged \(lr 1000000\): /);
    }
    for (const t of result.trials) expect(t.config.lr).toBe(0.01);
    expect(f.stderr).toMatch(/trial \d failed: training diverged \(lr 1000000\)/);
    // Failed for good on the first attempt: no worker took it again.
    const id = result.search!;
    const log = workers.map((w) => w.stderr()).join('\n');
    for (const t of result.failed!) expect(log).not.toMatch(new RegExp(`trial ${t.trial} of search ${id}: started \\(attempt 2\\)`));
  }, 60_000);

  it('a Redis restart loses no finished results (append-only file): the first search attaches complete', async () => {
    await redis.restart();
    const f = await run(['search', '--queue', redis.url(1), '--attach', first.search!, '--json', '--out', join(dir, 'after-restart')]);
    expect(f.code, f.stderr).toBe(0);
    const again = lastJson<SearchJson>(f);
    expect(again.trials).toEqual(first.trials);
  }, 60_000);

  it('a worker with a different data file refuses the trial, saying so; the trial fails after its attempts', async () => {
    const a = join(dir, 'site-a');
    const b = join(dir, 'site-b');
    mkdirSync(a);
    mkdirSync(b);
    const table = (flip: boolean) => 'x1,x2,label\n' + Array.from({ length: 80 }, (_, i) => `${(i % 9) / 9},${((i * 7) % 11) / 11},${(i % 2 === 0) !== flip ? 'yes' : 'no'}`).join('\n') + '\n';
    writeFileSync(join(a, 'data.csv'), table(false));
    writeFileSync(join(b, 'data.csv'), table(true));
    const w = await startWorker(redis.url(2), 'other-data', { cwd: b });
    try {
      const f = await run(['search', '--data', 'data.csv', '--trials', '1', '--epochs', '2', '--space', '{"lr":{"choice":[0.01]}}', '--queue', redis.url(2), '--out', join(a, 'out')], { cwd: a });
      expect(f.code).toBe(1);
      expect(f.stderr).toMatch(/layerwise: error: search: no trial completed; 1 failed, the first: trial 1: --data data.csv: worker other-data has a different file \(SHA-256 [0-9a-f]{16}…, the search's is [0-9a-f]{16}…\); refused, so that no trial trains on other data/);
      expect(w.stderr()).toMatch(/refused \(attempt 1 of 3; back to the queue\): --data data.csv: worker other-data has a different file/);
      expect(w.stderr()).toMatch(/trial 1 of search \w+: failed: --data data.csv/);
    } finally {
      w.kill('SIGKILL');
    }
  }, 60_000);

  it('a worker stopped by SIGTERM finishes its trial and takes no other; stopped twice, it hands its trial back at once', async () => {
    const url = redis.url(6);
    const search = start(['search', '--data', 'moons', '--trials', '2', '--epochs', '6000', '--layers', '16,8', '--space', '{"lr":{"choice":[0.01,0.02]}}', '--json', '--queue', url, '--out', join(dir, 'stop')]);
    const g1 = await startWorker(url, 'g1');
    const first = (await g1.waitFor(/trial (\d) of search (\w+): started/))[1]!;
    g1.kill('SIGTERM');
    await g1.waitFor(/SIGTERM: finishing 1 running trial\(s\) first/);
    const g1done = await g1.done;
    expect(g1done.code).toBe(0);
    expect(g1done.stderr).toMatch(new RegExp(`trial ${first} of search \\w+: done[^]*worker g1: stopped`));
    expect(g1done.stderr.match(/: started/g)).toHaveLength(1);

    const g2 = await startWorker(url, 'g2');
    const second = (await g2.waitFor(/trial (\d) of search \w+: started/))[1]!;
    expect(second).not.toBe(first);
    g2.kill('SIGTERM');
    await g2.waitFor(/SIGTERM: finishing/);
    g2.kill('SIGTERM');
    const g2done = await g2.done;
    expect(g2done.code).toBe(143);
    expect(g2done.stderr).toContain('worker g2: handed 1 trial(s) back to the queue; stopped');
    expect(g2done.stderr).not.toMatch(/: done/);

    const g3 = await startWorker(url, 'g3');
    try {
      const f = await search.done;
      expect(f.code, f.stderr).toBe(0);
      const result = lastJson<SearchJson>(f);
      expect(result.trials.map((t) => t.trial).sort()).toEqual([1, 2]);
      expect(g3.stderr()).toMatch(new RegExp(`trial ${second} of search \\w+: done`));
    } finally {
      g3.kill('SIGKILL');
    }
  }, 90_000);

  it('the library API: randomSearch({ queue }) with startTrialWorker returns the SearchResult of the local search', async () => {
    const space = { x: { uniform: [-2, 2] }, k: { choice: [1, 2, 3] } } as const;
    const objective = ({ x, k }: { x: number; k: number }) => (x - 0.5) ** 2 * k;
    const local = randomSearch({ space, trials: 8, seed: 5, objective });
    let worker: TrialWorker | null = null;
    try {
      const processor = fileURLToPath(new URL('./fixtures/quadratic.ts', import.meta.url));
      // vitest's own Node options are not for threads: only tsx's loader, which the .ts processor needs.
      worker = await startTrialWorker({ url: redis.url(5), processor, concurrency: 2, lockDurationMs: 2000, execArgv: threadExecArgv(processor, TSX_API).slice(process.execArgv.length) });
      const queue = new RedisTrialQueue({ url: redis.url(5), task: { scale: 1 } });
      const remote = await randomSearch({ space, trials: 8, seed: 5, queue });
      const strip = (r: typeof local) => r.trials.map((t) => ({ index: t.index, config: t.config, score: t.score }));
      expect(strip(remote)).toEqual(strip(local));
      expect(remote.best?.index).toBe(local.best?.index);
      expect(remote.failed).toEqual([]);
      expect(queue.id).toMatch(/^[0-9a-f]{12}$/);
    } finally {
      await worker?.stop();
    }
  }, 60_000);

  it('bad input: unreachable or malformed URLs, a queue of another version or format, an unknown search, --concurrency < 1', async () => {
    const nobody = await freePort();
    const dead = `redis://127.0.0.1:${nobody}/0`;
    // A queue marked by a newer layerwise, and one holding another program's job.
    await redis.client(3).set('layerwise:layerwise-trials:format', JSON.stringify({ format: 'layerwise-trial', version: 99 }));
    const foreign = new Queue('layerwise-trials', { connection: { host: '127.0.0.1', port: redis.port, db: 4 } });
    await foreign.add('email', { to: 'someone' }, { jobId: 'mail-1' });
    await foreign.close();
    const out = (name: string) => join(dir, `bad-${name}`);
    const [unreachableWorker, unreachableSearch, scheme, port, path, newer, newerSearch, other, unknown, zero, attachNoQueue, attachOptions] = await Promise.all([
      run(['worker', '--queue', dead]),
      run(['search', '--data', 'moons', '--trials', '1', '--queue', dead, '--out', out('unreachable')]),
      run(['worker', '--queue', 'http://127.0.0.1:6379']),
      run(['search', '--data', 'moons', '--trials', '1', '--queue', 'redis://127.0.0.1:99999', '--out', out('port')]),
      run(['worker', '--queue', `redis://127.0.0.1:${redis.port}/queue`]),
      run(['worker', '--queue', redis.url(3)]),
      run(['search', '--data', 'moons', '--trials', '1', '--queue', redis.url(3), '--out', out('newer')]),
      run(['worker', '--queue', redis.url(4)]),
      run(['search', '--queue', redis.url(1), '--attach', 'nosuchsearch', '--out', out('unknown')]),
      run(['worker', '--queue', redis.url(1), '--concurrency', '0']),
      run(['search', '--attach', 'abc', '--out', out('noqueue')]),
      run(['search', '--queue', redis.url(1), '--attach', 'abc123', '--lr', '0.1', '--out', out('options')]),
    ]);
    expect(unreachableWorker.code).toBe(1);
    expect(unreachableWorker.stderr).toMatch(new RegExp(`layerwise: error: cannot reach Redis at redis://127.0.0.1:${nobody}/0: connect ECONNREFUSED 127.0.0.1:${nobody} \\(is redis-server running there and reachable from here\\?\\)`));
    expect(unreachableSearch.code).toBe(1);
    expect(unreachableSearch.stderr).toMatch(/layerwise: error: cannot reach Redis at .*ECONNREFUSED/);
    // The refusal itself takes about the connect timeout (3 s), not ioredis's endless reconnecting (the commands above add Node's start-up).
    for (const attempt of [() => startTrialWorker({ url: dead, processor: MAIN }), () => randomSearch({ space: { x: { uniform: [0, 1] } }, trials: 1, seed: 1, queue: new RedisTrialQueue({ url: dead }) })]) {
      const t0 = performance.now();
      await expect(attempt()).rejects.toThrow(`cannot reach Redis at ${dead}: connect ECONNREFUSED 127.0.0.1:${nobody}`);
      expect(performance.now() - t0).toBeLessThan(5000);
    }
    const port3 = `redis://127.0.0.1:${redis.port}`;
    const expected: [typeof scheme, number, string | RegExp][] = [
      [scheme, 2, 'layerwise: error: --queue: expected a Redis URL redis://host:port[/db] (e.g. redis://127.0.0.1:6379/0), got "http://127.0.0.1:6379" (scheme http)'],
      [port, 2, '--queue: expected a Redis URL redis://host:port[/db] (e.g. redis://127.0.0.1:6379/0), got "redis://127.0.0.1:99999"'],
      [path, 2, '(the path must be a database number, got "/queue")'],
      [newer, 1, `layerwise: error: queue "layerwise-trials" on ${port3}/3 holds a layerwise trial of format version 99, and this layerwise reads version 1: refused`],
      [newerSearch, 1, 'holds a layerwise trial of format version 99, and this layerwise reads version 1: refused'],
      [other, 1, `layerwise: error: queue "layerwise-trials" on ${port3}/4 holds job mail-1, not a layerwise trial (format missing): refused`],
      [unknown, 1, new RegExp(`layerwise: error: --attach nosuchsearch: no search "nosuchsearch" on ${port3}/1 \\(queue layerwise-trials; (the latest there: \\w+|there is none there)`)],
      [zero, 1, '--concurrency: expected a positive integer, got "0"'],
      [attachNoQueue, 1, 'layerwise: error: --attach: give the --queue the search was submitted to'],
      [attachOptions, 1, 'layerwise: error: --attach: the search runs with the options it was submitted with; drop --lr (only --queue, --out, --json and --force apply)'],
    ];
    for (const [f, code, message] of expected) {
      expect(f.code, f.stderr).toBe(code);
      if (typeof message === 'string') expect(f.stderr).toContain(message);
      else expect(f.stderr).toMatch(message);
    }
  }, 90_000);
});

/**
 * Measures the distributed search for the README: trials per minute with 1,
 * 2 and 3 worker processes (default concurrency) on one small, fixed search,
 * and the queue's overhead per trial against the same search run locally.
 *
 *   node --import tsx test/distributed/measure.ts [--trials 12] [--epochs 2000] [--repeat 2]
 *
 * Each timing runs from the moment the trials can start (the local search's
 * table header; the distributed search's "trials queued" line) to the end of
 * the command; the workers are started and warmed up (one search each) first.
 * Needs redis-server (it starts its own on a free loopback port).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedis } from '../setup-redis.js';
import { lastJson, start, startWorker, type Running } from './helpers.js';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '12' }, epochs: { type: 'string', default: '2000' }, repeat: { type: 'string', default: '2' } } });
const trials = Number(values.trials);
const repeat = Number(values.repeat);
const SEARCH = ['search', '--data', 'moons', '--trials', String(trials), '--epochs', values.epochs!, '--layers', '16,8', '--seed', '7', '--space', '{"lr":{"logUniform":[0.001,0.05]},"l2":{"choice":[0,0.01]}}', '--json'];

interface Timed {
  seconds: number;
  trainSeconds: number;
}

/** Runs a search; seconds from `ready` (a line meaning the trials may start) to its exit, and the trials' own seconds summed. */
async function timed(args: string[], ready: RegExp): Promise<Timed> {
  const s = start(args, { timeoutMs: 600_000 });
  await s.waitFor(ready, 120_000);
  const t0 = performance.now();
  const f = await s.done;
  const seconds = (performance.now() - t0) / 1000;
  if (f.code !== 0) throw new Error(`search failed: ${f.stderr}`);
  const result = lastJson<{ trials: { seconds: number }[]; failed?: unknown[] }>(f);
  if (result.trials.length !== trials) throw new Error(`expected ${trials} trials, got ${result.trials.length}`);
  return { seconds, trainSeconds: result.trials.reduce((a, t) => a + t.seconds, 0) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const redis = await startRedis();
const dir = mkdtempSync(join(tmpdir(), 'layerwise-measure-'));
const workers: Running[] = [];
let n = 0;
const out = () => join(dir, `run-${n++}`);
try {
  const local: Timed[] = [];
  for (let r = 0; r < repeat; r++) local.push(await timed([...SEARCH, '--out', out()], /^trial\s+lr/m));
  const rows: string[] = [];
  const localSeconds = median(local.map((t) => t.seconds));
  rows.push(`| local (no queue) | ${localSeconds.toFixed(2)} | ${((trials / localSeconds) * 60).toFixed(0)} | |`);
  let oneWorker: Timed | null = null;
  for (let count = 1; count <= 3; count++) {
    const db = count;
    const url = redis.url(db);
    while (workers.length > 0) {
      const w = workers.pop()!;
      w.kill('SIGKILL');
      await w.done;
    }
    workers.push(...(await Promise.all(Array.from({ length: count }, (_, i) => startWorker(url, `m${count}-${i + 1}`)))));
    // Warm-up: every worker's thread loads the backend and the data once.
    const warm = [...SEARCH];
    warm[warm.indexOf('--trials') + 1] = String(count * 2);
    await start([...warm, '--queue', url, '--out', out()], { timeoutMs: 600_000 }).done;
    const runs: Timed[] = [];
    for (let r = 0; r < repeat; r++) runs.push(await timed([...SEARCH, '--queue', url, '--out', out()], /trials queued/));
    const seconds = median(runs.map((t) => t.seconds));
    if (count === 1) oneWorker = runs.find((t) => t.seconds === seconds)!;
    rows.push(`| ${count} worker process${count > 1 ? 'es' : ''} | ${seconds.toFixed(2)} | ${((trials / seconds) * 60).toFixed(0)} | ${(localSeconds / seconds).toFixed(2)}x |`);
  }
  const l = local.find((t) => t.seconds === localSeconds)!;
  const overhead = ((oneWorker!.seconds - localSeconds) / trials) * 1000;
  const idle = (t: Timed) => ((t.seconds - t.trainSeconds) / trials) * 1000;
  console.log(`${trials} trials of moons, ${values.epochs} epochs of a 16-8 network each (median of ${repeat}):\n`);
  console.log('| runs on | seconds | trials per minute | vs local |\n| --- | --- | --- | --- |');
  console.log(rows.join('\n'));
  console.log(`\nqueue overhead per trial (1 worker vs local, wall time): ${overhead.toFixed(0)} ms`);
  console.log(`time per trial outside training: local ${idle(l).toFixed(0)} ms, 1 worker ${idle(oneWorker!).toFixed(0)} ms`);
  console.log(`training per trial: local ${((l.trainSeconds / trials) * 1000).toFixed(0)} ms, 1 worker ${((oneWorker!.trainSeconds / trials) * 1000).toFixed(0)} ms`);
} finally {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.done));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

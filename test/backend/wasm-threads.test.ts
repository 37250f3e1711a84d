import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadedRuntime, setWasmThreads, wasmThreads } from '../../src/backend/wasm/index.js';
import { UPDATE_PARALLEL_MIN } from '../../src/backend/wasm/updates.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { MAX_CHUNKS } from '../../src/backend/wasm/protocol.js';
import { ShareGovernor } from '../../src/backend/wasm/governor.js';
import { killKernelWorker, runWorkerTask, workerTasks } from '../../src/backend/wasm/testing.js';
import { Rng } from '../../src/random/rng.js';
import { expectSameBits, loadWasm, onHeap, randomWasm, shareEveryKernel } from './wasm-helpers.js';

const wasm = loadWasm();

/** Shapes above the parallel threshold: split by columns, by rows, odd edges, several K and row blocks. */
const SHAPES: readonly (readonly [number, number, number])[] = [
  [64, 784, 128], [128, 784, 128], [65, 257, 63], [257, 63, 65], [300, 100, 17], [33, 129, 200], [130, 600, 40], [1024, 30, 70],
];
const TRANSPOSES: readonly (readonly [boolean, boolean])[] = [[false, false], [false, true], [true, false], [true, true]];

describe('two GEMM threads', () => {
  shareEveryKernel();

  it('start', () => {
    expect(wasmThreads()).toBe(2);
  });

  for (const [m, k, n] of SHAPES) {
    for (const [tA, tB] of TRANSPOSES) {
      it(`give bit-identical results to one thread: ${m}x${k}x${n} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`, async () => {
        const rng = new Rng(m + k + n);
        const a = randomWasm(wasm, tA ? [k, m] : [m, k], rng);
        const b = randomWasm(wasm, tB ? [n, k] : [k, n], rng);
        for (const [alpha, beta] of [[1, 0], [-0.75, 0.5]] as const) {
          const c1 = randomWasm(wasm, [m, n], rng);
          const c2 = wasm.zeros([m, n], 'float32');
          wasm.copy(c1, c2);
          await setWasmThreads(1);
          wasm.matmul(a, b, c1, tA, tB, alpha, beta);
          await setWasmThreads(2);
          const before = workerTasks();
          wasm.matmul(a, b, c2, tA, tB, alpha, beta);
          expect(workerTasks()).toBe(before + 1);
          expectSameBits(c2, c1);
        }
      });
    }
  }

  /** Each update kernel, applied twice to w and its state. */
  const UPDATES: readonly (readonly [string, (w: Tensor, g: Tensor, s1: Tensor, s2: Tensor) => void])[] = [
    ['axpy (gradient descent)', (w, g) => wasm.axpy(-0.05, g, w)],
    ['momentum', (w, g, s1) => wasm.momentumUpdate(w, g, s1, 0.05, 0.9)],
    ['RMSprop', (w, g, s1) => wasm.rmspropUpdate(w, g, s1, 0.01, 0.999, 1e-8)],
    ['Adam', (w, g, s1, s2) => wasm.adamUpdate(w, g, s1, s2, 0.001, 0.9, 0.999, 1e-8, 2)],
  ];
  for (const [name, step] of UPDATES) {
    for (const n of [UPDATE_PARALLEL_MIN, UPDATE_PARALLEL_MIN + 3, 100_352, 131_075]) {
      it(`share ${name} updates of ${n} values with bit-identical results`, async () => {
        const rng = new Rng(n);
        const one = [randomWasm(wasm, [n, 1], rng), randomWasm(wasm, [n, 1], rng, -0.1, 0.1), randomWasm(wasm, [n, 1], rng, -0.01, 0.01), randomWasm(wasm, [n, 1], rng, 0, 0.01)] as const;
        const two = one.map((t) => {
          const c = wasm.zeros([n, 1], 'float32');
          wasm.copy(t, c);
          return c;
        }) as unknown as typeof one;
        await setWasmThreads(1);
        for (let i = 0; i < 2; i++) step(one[0], one[1], one[2], one[3]);
        await setWasmThreads(2);
        const before = workerTasks();
        for (let i = 0; i < 2; i++) step(two[0], two[1], two[2], two[3]);
        expect(workerTasks()).toBe(before + 2);
        for (let i = 0; i < 4; i++) expectSameBits(two[i]!, one[i]!);
      });
    }
  }

  it('keep updates below the threshold on one thread', () => {
    const n = UPDATE_PARALLEL_MIN - 1;
    const t = wasm.zeros([n, 1], 'float32');
    const before = workerTasks();
    wasm.adamUpdate(t, t, t, t, 0.001, 0.9, 0.999, 1e-8, 1);
    wasm.axpy(0.5, t, t);
    expect(workerTasks()).toBe(before);
  });

  it('claim chunks from both ends, only for the task posted, whatever its number', () => {
    const rt = loadedRuntime()!;
    const ex = rt.exports;
    const word = rt.heap.addressOf(wasm.zeros([2], 'float32'));
    for (const task of [5, 2 ** 31 - 1, -1, -(2 ** 31)]) {
      ex.postClaim(word, task, 4);
      expect(ex.claimChunk(word, task + 1, 0)).toBe(-1); // another task's claim word: nothing
      expect(ex.claimChunk(word, task, 0)).toBe(0);
      expect(ex.claimChunk(word, task, 1)).toBe(3);
      expect(ex.claimChunk(word, task, 1)).toBe(2);
      expect(ex.claimChunk(word, task, 0)).toBe(1);
      expect(ex.claimChunk(word, task, 0)).toBe(-1);
      expect(ex.claimChunk(word, task, 1)).toBe(-1);
    }
    ex.postClaim(word, 7, MAX_CHUNKS);
    let claimed = 0;
    while (ex.claimChunk(word, 7, claimed % 2) >= 0) claimed++;
    expect(claimed).toBe(MAX_CHUNKS);
  });

  it('also split products of tensors outside wasm memory', () => {
    const rng = new Rng(3);
    const a = onHeap(randomWasm(wasm, [96, 200], rng));
    const b = onHeap(randomWasm(wasm, [200, 64], rng));
    const c = onHeap(wasm.zeros([96, 64], 'float32'));
    const expected = wasm.zeros([96, 64], 'float32');
    const before = workerTasks();
    wasm.matmul(a, b, c, false, false, 1, 0);
    expect(workerTasks()).toBe(before + 1);
    wasm.matmul(a, b, expected, false, false, 1, 0);
    expectSameBits(c, expected);
  });

  it('report a task that fails in the worker as an Error, and keep working', () => {
    // gemmRange with pointers far past the end of memory traps in the worker.
    const far = 2 ** 31;
    expect(() => runWorkerTask([far, far, far, 64, 64, 64, 0, 0, 1, 0, 1, 16, far])).toThrow(/kernel worker's share failed: .*out of bounds/);
    const rng = new Rng(4);
    const a = randomWasm(wasm, [128, 128], rng);
    const c = wasm.zeros([128, 128], 'float32');
    const before = workerTasks();
    wasm.matmul(a, a, c, false, false, 1, 0);
    expect(workerTasks()).toBe(before + 1);
  });

  it('surface a dead worker as an Error on the next kernel call, then continue on one thread', async () => {
    const rng = new Rng(5);
    const a = randomWasm(wasm, [128, 128], rng);
    const c = wasm.zeros([128, 128], 'float32');
    const expected = wasm.zeros([128, 128], 'float32');
    await killKernelWorker();
    expect(() => wasm.matmul(a, a, c, false, false, 1, 0)).toThrow(/wasm kernel worker (exited|was terminated)/);
    expect(wasmThreads()).toBe(1);
    wasm.matmul(a, a, c, false, false, 1, 0);
    await setWasmThreads(1);
    wasm.matmul(a, a, expected, false, false, 1, 0);
    expectSameBits(c, expected);
    // Asking again starts a new worker.
    await setWasmThreads(2);
    expect(wasmThreads()).toBe(2);
  });
});

describe('the sharing governor', () => {
  /** A governor on a clock the test moves by hand; `window` eligible calls per window (Infinity: stalls alone). */
  function manual(window = Infinity): { g: ShareGovernor; advance: (ms: number) => void } {
    let t = 0;
    return { g: new ShareGovernor(() => t, window), advance: (ms) => (t += ms) };
  }
  /** A kernel's work (multiply-adds). */
  const W = 1 << 20;

  it('keeps kernels on one thread for four times the time a share lost, twice as long for each loss in a row', () => {
    const { g, advance } = manual();
    const pauses: number[] = [];
    for (let episode = 0; episode < 3; episode++) {
      expect(g.shouldShare(W)).toBe(true);
      // Our 3 chunks took 3 ms; waiting 5 ms for the worker's 1 chunk lost 4 ms against doing it ourselves (1 ms).
      g.record(3, 3, 5, 1);
      let paused = 0;
      while (!g.shouldShare(W)) {
        advance(1);
        paused++;
      }
      pauses.push(paused);
    }
    expect(pauses).toEqual([16, 32, 64]);
  });

  it('keeps sharing while it pays, forgives losses one halving at a time, and shares everything when not adaptive', () => {
    const { g, advance } = manual();
    for (let i = 0; i < 20; i++) {
      expect(g.shouldShare(W)).toBe(true);
      g.record(2, 2, 0.5, 2); // the worker's 2 chunks cost a 0.5 ms wait instead of 2 ms
    }
    g.record(3, 3, 5, 1); // lost 4 ms: paused 16 ms, next loss doubles
    advance(16);
    g.record(2, 2, 0.5, 2); // paid: back to single pauses
    g.record(3, 3, 2, 1); // lost 1 ms: paused 4 ms
    advance(3);
    expect(g.shouldShare(W)).toBe(false);
    advance(1);
    expect(g.shouldShare(W)).toBe(true);
    g.record(3, 3, 5, 1);
    g.adaptive = false;
    expect(g.shouldShare(W)).toBe(true);
  });

  /**
   * Runs `windows` windows of 4 calls on a governor whose calls take `cost(shared)` ms each
   * (the wall time a window measures); returns each window's mode, S (shared) or o (one thread).
   */
  function simulate(g: ShareGovernor, advance: (ms: number) => void, windows: number, cost: (shared: boolean) => number): string {
    let modes = '';
    for (let w = 0; w < windows; w++) {
      for (let call = 0; call < 4; call++) {
        const shared = g.shouldShare(W);
        if (call === 0) modes += shared ? 'S' : 'o';
        advance(cost(shared));
      }
    }
    return modes;
  }

  it('alternates for 8 windows, then runs windows in the cheaper mode and every 32nd in the other', () => {
    const { g, advance } = manual(4);
    const modes = simulate(g, advance, 40, (shared) => (shared ? 1 : 2));
    expect(modes).toBe('SoSoSoSo' + 'S'.repeat(24) + 'o' + 'S'.repeat(7));
    expect(g.costs()).toEqual({ shared: 1 / W, solo: 2 / W });
  });

  it('moves to one thread when shared windows get dearer than one thread, and back at the next exploring window once they recover', () => {
    const { g, advance } = manual(4);
    simulate(g, advance, 10, (shared) => (shared ? 1 : 2));
    // One slow shared window (a hiccup of the host) changes nothing.
    expect(simulate(g, advance, 1, (shared) => (shared ? 10 : 2)) + simulate(g, advance, 2, (shared) => (shared ? 1 : 2))).toBe('SSS');
    // Another process takes a core: shared calls now cost 4 ms. Once the last 4 shared windows
    // all cost more than one thread, the kernels stay on one thread.
    const busy = simulate(g, advance, 7, (shared) => (shared ? 4 : 2));
    // Windows 13-16 still share (a cheap window among the last 4); from 17 the last 4 cost 4 ms.
    expect(busy).toBe('SSSS' + 'ooo');
    // The core is free again: the next exploring window (window 32) takes the cheaper cost as it is.
    const free = simulate(g, advance, 20, (shared) => (shared ? 1 : 2));
    expect(free).toBe('o'.repeat(12) + 'S'.repeat(8));
  });
});

describe('a process using two threads', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layerwise-wasm-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits by itself', () => {
    const index = pathToFileURL(resolve('src/backend/wasm/index.ts')).href;
    const script = join(dir, 'two-threads.mts');
    writeFileSync(
      script,
      `import { initWasmBackend, wasmThreads } from ${JSON.stringify(index)};
const backend = await initWasmBackend({ threads: 2 });
const a = backend.zeros([256, 256], 'float32');
a.data.fill(1);
const c = backend.zeros([256, 256], 'float32');
backend.matmul(a, a, c, false, false, 1, 0);
console.log(wasmThreads(), c.data[0], c.data[c.size - 1]);
`,
    );
    // tsx's loader lets the child import the TypeScript sources, as vitest does here.
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.signal).toBeNull();
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('2 256 256');
    expect(child.status).toBe(0);
  });
});

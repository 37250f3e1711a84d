/**
 * JS-heap allocation per training step, the method of the memory tests: the bytes the JS heap
 * allocated during a window of steps are its used size at the end minus at the start, plus what
 * every collection in between freed (node:v8's GCProfiler reports each one). Nothing forces a
 * collection: measured that way (gc() before each window), the steps after each forced full GC
 * allocated ~1 KB more (V8 optimizing again). A window is taken several times and the smallest is
 * kept (JIT tiering can leave a window with a few stray allocations; a pass that allocates does so
 * in every window). Alongside: whether `zeros` was called (a tensor allocated) and the wasm heap's
 * state before and after.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { expect, vi } from 'vitest';
import { fit, getBackend, Plan, type Network, type Tensor } from '../../src/index.js';
import { heapStats, memoryInfo } from '../../src/backend/wasm/testing.js';

/** Steps before the first window, steps per window, windows measured. */
export interface Windows {
  readonly warm: number;
  readonly window: number;
  readonly windows: number;
}

interface GcRecord {
  readonly beforeGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
  readonly afterGC: { readonly heapStatistics: { readonly usedHeapSize: number } };
}

/** Bytes the JS heap allocates between `start()` and `stop()`: the used size's growth plus what each collection in between freed. */
class AllocationMeter {
  private profiler: GCProfiler | null = null;
  private used = 0;

  start(): void {
    this.profiler = new GCProfiler();
    this.profiler.start();
    this.used = getHeapStatistics().used_heap_size;
  }

  stop(): number {
    const used = getHeapStatistics().used_heap_size;
    const records = (this.profiler!.stop()?.statistics ?? []) as readonly GcRecord[];
    this.profiler = null;
    let freed = 0;
    for (const r of records) freed += r.beforeGC.heapStatistics.usedHeapSize - r.afterGC.heapStatistics.usedHeapSize;
    return used - this.used + freed;
  }
}

/** What a run measured: JS-heap bytes per step in each window, tensors allocated, and the wasm heap before and after. */
interface Measured {
  readonly perStep: number[];
  readonly zerosCalls: number;
  readonly wasm: readonly [string, string];
}

const wasmState = (backend: string): string => (backend === 'wasm' ? JSON.stringify({ ...heapStats(), bytes: memoryInfo().bytes }) : '');

/** Runs `step` `warm` times, then `windows` windows of `window` steps, measuring each. */
function measureLoop(backend: string, w: Windows, step: () => void): Measured {
  for (let i = 0; i < w.warm; i++) step();
  const zeros = vi.spyOn(getBackend(), 'zeros');
  const before = wasmState(backend);
  const meter = new AllocationMeter();
  const perStep: number[] = [];
  try {
    for (let k = 0; k < w.windows; k++) {
      meter.start();
      for (let i = 0; i < w.window; i++) step();
      perStep.push(meter.stop() / w.window);
    }
    return { perStep, zerosCalls: zeros.mock.calls.length, wasm: [before, wasmState(backend)] };
  } finally {
    zeros.mockRestore();
  }
}

/**
 * fit (Adam, mini-batches of `batchSize` of the `m` examples) for warm + windows x window
 * iterations, measuring the windows from onIteration.
 */
function measureFit(backend: string, w: Windows, net: Network, X: Tensor, Y: Tensor, m: number, batchSize: number): Measured {
  const meter = new AllocationMeter();
  const perStep: number[] = [];
  const zeros = vi.spyOn(getBackend(), 'zeros');
  const calls = [-1, -1];
  const wasm: [string, string] = ['', ''];
  const total = w.warm + w.windows * w.window;
  try {
    fit(net, X, Y, {
      learningRate: 0.01,
      optimizer: 'adam',
      batchSize,
      epochs: Math.ceil(total / Math.ceil(m / batchSize)),
      onIteration: (i) => {
        if (i < w.warm || (i - w.warm) % w.window !== 0 || i > total) return;
        if (i > w.warm) perStep.push(meter.stop() / w.window);
        if (i === w.warm || i === total) {
          const k = i === w.warm ? 0 : 1;
          calls[k] = zeros.mock.calls.length;
          wasm[k] = wasmState(backend);
        }
        if (i < total) meter.start();
      },
    });
  } finally {
    zeros.mockRestore();
  }
  return { perStep, zerosCalls: calls[1]! - calls[0]!, wasm };
}

/** Prints a run's figures when LAYERWISE_ALLOCATION=1. */
function report(what: string, m: Measured): void {
  if (process.env.LAYERWISE_ALLOCATION === '1') console.log(`${what}: ${m.perStep.map((b) => b.toFixed(0)).join(' ')} bytes/step`);
}

/** JS-heap bytes a step may allocate: the layers' training pass, and fit's whole step. */
export interface StepBounds {
  readonly pass: number;
  readonly fit: number;
}

/** How a network is trained for the measure: the pass's windows (it warms up longer), fit's, the examples and the batch. */
export interface Training {
  readonly pass: Windows;
  readonly fit: Windows;
  readonly m: number;
  readonly batch: number;
}

/**
 * The memory tests' windows for `m` examples in batches of `batch`: fit warms up 1,500 steps, the
 * training pass alone twice as many (being cheap: some of its functions reach their final optimized
 * code only after 2,000 passes), then 4 windows of 250 steps.
 */
export function standardTraining(m: number, batch: number): Training {
  const fitWindows: Windows = { warm: 1500, window: 250, windows: 4 };
  return { fit: fitWindows, pass: { ...fitWindows, warm: 2 * fitWindows.warm }, m, batch };
}

/**
 * Measures `net`'s training pass on one batch of X, Y (forward, cost, regularization cost, backward)
 * and fit's whole step (batch gather, passes, Adam), prints both (LAYERWISE_ALLOCATION=1) and expects
 * of each: no tensor allocated, the wasm heap unchanged, and a steady state (the smallest window)
 * under its bound.
 */
export function expectSteadyTraining(backend: string, name: string, net: Network, X: Tensor, Y: Tensor, t: Training, bounds: StepBounds): void {
  const plan = new Plan(net, t.batch, true);
  plan.input.data.set(X.data.subarray(0, plan.input.size));
  plan.target.data.set(Y.data.subarray(0, plan.target.size));
  const pass = measureLoop(backend, t.pass, () => {
    plan.forward(true);
    plan.cost();
    plan.regularizationCost();
    plan.backward();
  });
  plan.dispose();
  report(`${name} [${backend}] training pass`, pass);
  const step = measureFit(backend, t.fit, net, X, Y, t.m, t.batch);
  report(`${name} [${backend}] fit step`, step);

  for (const [what, m, bound, windows] of [['training pass', pass, bounds.pass, t.pass], ['fit step', step, bounds.fit, t.fit]] as const) {
    expect(m.perStep).toHaveLength(windows.windows);
    expect(m.zerosCalls, `${name}: tensors allocated by the ${what}`).toBe(0);
    expect(m.wasm[1], `${name}: the wasm heap after the ${what}`).toBe(m.wasm[0]);
    expect(Math.min(...m.perStep), `${name}: JS-heap bytes per ${what} (windows ${m.perStep.map(Math.round).join(', ')})`).toBeLessThan(bound);
  }
}

/**
 * The kernel worker's whole program. It is bundled into a plain script at build
 * time (scripts/build-wasm.ts writes it into generated/worker-code.ts) and
 * started from that string, so the same code runs from src under vitest and
 * from dist, with no file next to the library to locate at run time.
 *
 * It instantiates the shared module on the shared memory, then loops: wait
 * for SEQ to move, claim and run chunks of the posted task (gemmShared,
 * updateShared or layerShared, from the back) until none is left, publish DONE.
 */
import {
  ARGS_BYTE_OFFSET, CLAIM, DONE, MAIN_SLEEPS, MAX_ARGS, MESSAGE_BYTE_OFFSET, MESSAGE_BYTES, MESSAGE_LENGTH, READY, SEQ, SPIN_ITERATIONS, STATUS,
  STOP, TASK_GEMM, TASK_LAYER, TASK_UPDATE, WORKER_SLEEPS, type WorkerMessage, type WorkerStart,
} from '../protocol.js';

type SharedKernel = (...args: number[]) => number;

/** Spin, then block, until ctl[SEQ] differs from `seen`; returns the new value. */
function nextTask(ctl: Int32Array, seen: number): number {
  for (let i = 0; i < SPIN_ITERATIONS; i++) {
    const s = Atomics.load(ctl, SEQ);
    if (s !== seen) return s;
  }
  for (;;) {
    Atomics.store(ctl, WORKER_SLEEPS, 1);
    // A task posted after the store above changes SEQ first, so this wait
    // returns at once; one posted before it is seen by the compare.
    Atomics.wait(ctl, SEQ, seen);
    Atomics.store(ctl, WORKER_SLEEPS, 0);
    const s = Atomics.load(ctl, SEQ);
    if (s !== seen) return s;
  }
}

/** Leaves a failed task's message where the main thread can read it synchronously. */
function recordFailure(memory: WebAssembly.Memory, control: number, ctl: Int32Array, error: unknown): void {
  const text = new TextEncoder().encode(error instanceof Error ? error.message : String(error)).subarray(0, MESSAGE_BYTES);
  new Uint8Array(memory.buffer, control + MESSAGE_BYTE_OFFSET, MESSAGE_BYTES).set(text);
  Atomics.store(ctl, MESSAGE_LENGTH, text.length);
  Atomics.store(ctl, STATUS, 1);
}

function serve(start: WorkerStart, report: (message: WorkerMessage) => void): void {
  const instance = new WebAssembly.Instance(start.module, {
    env: {
      memory: start.memory,
      abort: () => {
        throw new Error('wasm abort');
      },
    },
  });
  const gemmShared = instance.exports['gemmShared'] as SharedKernel;
  const updateShared = instance.exports['updateShared'] as SharedKernel;
  const layerShared = instance.exports['layerShared'] as SharedKernel;
  const ctl = new Int32Array(start.memory.buffer, start.control, ARGS_BYTE_OFFSET / 4);
  const a = new Float64Array(start.memory.buffer, start.control + ARGS_BYTE_OFFSET, MAX_ARGS);
  const claim = start.control + CLAIM * 4;
  let seen = Atomics.load(ctl, SEQ);
  Atomics.store(ctl, READY, 1);
  report({ kind: 'ready' });
  for (;;) {
    seen = nextTask(ctl, seen);
    if (Atomics.load(ctl, STOP) !== 0) return;
    try {
      // Arguments read here may already belong to a newer task; the shared
      // kernel then finds the claim word tagged with that task and runs
      // nothing. Slots are passed one by one: nothing is allocated per task.
      const kind = a[0];
      if (kind === TASK_GEMM) {
        gemmShared(a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, claim, seen, 1);
      } else if (kind === TASK_UPDATE) {
        updateShared(a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!, claim, seen, 1);
      } else if (kind === TASK_LAYER) {
        layerShared(
          a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, a[10]!, a[11]!, a[12]!, a[13]!, a[14]!, a[15]!, a[16]!, a[17]!, a[18]!, a[19]!,
          a[20]!, a[21]!, claim, seen, 1,
        );
      } else {
        throw new Error(`unknown task kind ${kind}`);
      }
    } catch (e) {
      recordFailure(start.memory, start.control, ctl, e);
    }
    Atomics.store(ctl, DONE, seen);
    if (Atomics.load(ctl, MAIN_SLEEPS) !== 0) Atomics.notify(ctl, DONE);
  }
}

interface NodeWorkerThreads {
  readonly workerData: WorkerStart;
  readonly parentPort: { postMessage(message: WorkerMessage): void };
}

interface WebWorkerScope {
  onmessage: ((event: { data: WorkerStart }) => void) | null;
  postMessage(message: WorkerMessage): void;
}

// Node runs this string with `eval: true`, where `require` is a global;
// a browser worker gets its start data as the first message instead.
const nodeRequire = (globalThis as { require?: (id: string) => unknown }).require;
if (typeof nodeRequire === 'function') {
  const threads = nodeRequire('node:worker_threads') as NodeWorkerThreads;
  serve(threads.workerData, (message) => threads.parentPort.postMessage(message));
} else {
  const scope = globalThis as unknown as WebWorkerScope;
  scope.onmessage = (event) => {
    scope.onmessage = null;
    serve(event.data, (message) => scope.postMessage(message));
  };
}

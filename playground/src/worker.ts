/**
 * The training worker: it owns a Session and trains in short chunks, yielding
 * between them so pause, step and learning-rate messages land within one
 * chunk. Snapshots are sent only after the page acknowledges the previous one,
 * so a slow page never has a queue of stale frames to chew through. The image
 * mode's CNN trains here too (image/worker-image.ts, messages `image:*`), so
 * the library's kernels are in one chunk; one mode runs at a time.
 */
import { DivergenceError, getBackend, initWasmBackend, listBackends, setBackend } from './lib.js';
import { ImageTrainer } from './image/worker-image.js';
import type { FromWorker, Snapshot, ToWorker } from './protocol.js';
import { Session } from './session.js';
import type { Speed } from './state.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

/** Milliseconds of training between yields: long enough to amortize fit's setup, short enough to stay interactive. */
const CHUNK_MS = 20;

let session: Session | null = null;
let lastConfig: Extract<ToWorker, { type: 'configure' }> | null = null;
let running = false;
let speed: Speed = 'fast';
let acked = true;
let dirty = false;
let epochsPerChunk = 1;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

function transferables(s: Snapshot): Transferable[] {
  return [s.output.buffer, s.neurons.buffer, ...s.weights.map((w) => w.buffer), ...s.biases.map((b) => b.buffer)];
}

function sendSnapshot(force = false): void {
  if (!session || (!acked && !force)) {
    dirty = true;
    return;
  }
  const snap = session.snapshot();
  acked = false;
  dirty = false;
  post({ type: 'snapshot', snapshot: snap }, transferables(snap));
}

function setRunning(value: boolean): void {
  if (running === value) return;
  running = value;
  post({ type: 'running', running });
  if (running) schedule();
}

function report(e: unknown): void {
  setRunning(false);
  if (e instanceof DivergenceError) {
    post({ type: 'diverged', message: e.message });
    sendSnapshot(true);
  } else {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

/** Trains epochs, adapting how many go into one fit call so each call takes about CHUNK_MS. */
function trainChunk(s: Session): void {
  if (speed !== 'max') {
    const k = speed === 'frame' ? 1 : 10;
    s.train(k);
    return;
  }
  const start = performance.now();
  while (performance.now() - start < CHUNK_MS) {
    const t0 = performance.now();
    s.train(epochsPerChunk);
    const took = Math.max(performance.now() - t0, 0.01);
    const ideal = (epochsPerChunk * (CHUNK_MS / 2)) / took;
    epochsPerChunk = Math.max(1, Math.min(1000, Math.round(Math.min(ideal, epochsPerChunk * 2))));
  }
}

// A MessageChannel yields to the event loop without setTimeout's 4 ms clamp.
const channel = new MessageChannel();
let scheduled = false;
channel.port1.onmessage = () => {
  scheduled = false;
  if (!running || !session) return;
  // Paced speeds train a fixed number of epochs per drawn frame (TensorFlow Playground trains one): wait for the page; the ack reschedules.
  if (speed !== 'max' && !acked) return;
  if (lastConfig) useBackend(lastConfig.state.backend);
  try {
    trainChunk(session);
    sendSnapshot();
  } catch (e) {
    report(e);
    return;
  }
  schedule();
};
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  channel.port2.postMessage(null);
}

/**
 * The wasm backend, loaded once. One GEMM thread: the page's matrices are
 * tiny, and a second thread needs a cross-origin-isolated page, which most
 * static hosts do not serve.
 */
let wasmFailure: string | null = null;
const wasmReady: Promise<void> = listBackends().includes('wasm')
  ? Promise.resolve()
  : initWasmBackend({ threads: 1 }).then(
      () => undefined,
      (e: unknown) => {
        wasmFailure = e instanceof Error ? e.message : String(e);
      },
    );

function chooseBackend(name: string): void {
  if (listBackends().includes(name)) setBackend(name);
  else {
    setBackend('js');
    const why = wasmFailure ?? 'WebAssembly SIMD is not available here';
    post({ type: 'notice', message: `The ${name} backend could not be loaded (${why}); training with the JavaScript backend.` });
  }
}

function configure(msg: Extract<ToWorker, { type: 'configure' }>): void {
  lastConfig = msg;
  speed = msg.state.speed;
  epochsPerChunk = 1;
  try {
    chooseBackend(msg.state.backend);
    session = new Session(msg.state, msg.csv, msg.generation);
  } catch (e) {
    session = null;
    report(e);
    return;
  }
  post({ type: 'data', info: session.info() });
  sendSnapshot(true);
}

// Messages are handled in order, each after the wasm backend has loaded (or failed to).
let inbox: Promise<void> = wasmReady;
scope.onmessage = (event) => {
  inbox = inbox
    .then(() => handle(event.data))
    .catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }));
};

/**
 * The library's backend is one global choice; each mode selects its own before it touches its network (the
 * dense mode the one its settings name, the image mode WebAssembly when it loaded), so the two never mix.
 */
function useBackend(name: string): void {
  const chosen = listBackends().includes(name) ? name : 'js';
  if (getBackend().name !== chosen) setBackend(chosen);
}

const image = new ImageTrainer(
  (message, transfer = []) => scope.postMessage(message, transfer),
  () => setRunning(false),
  () => useBackend('wasm'),
);

function handle(msg: ToWorker): void | Promise<void> {
  if (msg.type.startsWith('image:')) return image.handle(msg as Extract<ToWorker, { type: `image:${string}` }>);
  if (msg.type !== 'configure' && lastConfig) useBackend(lastConfig.state.backend);
  switch (msg.type) {
    case 'configure':
      configure(msg);
      break;
    case 'reset':
      // As in TensorFlow Playground, reset pauses: the next click on play starts the fresh network.
      setRunning(false);
      if (lastConfig) configure({ ...lastConfig, state: { ...lastConfig.state, speed }, generation: msg.generation });
      break;
    case 'play':
      image.pause();
      if (session) setRunning(true);
      break;
    case 'pause':
      setRunning(false);
      break;
    case 'step':
      setRunning(false);
      if (!session) break;
      try {
        session.train(1);
        sendSnapshot(true);
      } catch (e) {
        report(e);
      }
      break;
    case 'learningRate':
      if (session) session.learningRate = msg.value;
      if (lastConfig) lastConfig = { ...lastConfig, state: { ...lastConfig.state, learningRate: msg.value } };
      break;
    case 'speed':
      speed = msg.value;
      break;
    case 'setWeight':
      session?.setWeight(msg.layer, msg.row, msg.col, msg.value);
      sendSnapshot(true);
      break;
    case 'ack':
      acked = true;
      if (dirty && !running) sendSnapshot();
      if (running) schedule();
      break;
    case 'export':
      if (session) {
        const { manifest, weights } = session.exportModel();
        post({ type: 'model', manifest, weights }, [weights.buffer]);
      }
      break;
  }
}

/**
 * layerwise itself, through its public API (Network + fit), on the backend the
 * variant names. The wasm backend is imported only when a wasm variant asks
 * for it, so the js variant (and the harness test) run even where its
 * generated module has not been built.
 */
import { Adam, Network, Tensor, accuracy, fit, oneHot, setBackend, type ActivationName, type FitOptions } from '../../src/index.js';
import { matrix, type LayerInit, type Matrix } from '../shared/fixtures.js';
import type { CnnTrainer, MnistTrainer, PlanarTrainer } from '../shared/measure.js';
import { CNN, CNN_PARAMS, cnnLayers, labelsOf, type CnnFixture, type CnnWeights } from '../workloads/cnn.js';
import { MNIST, type MnistFixture } from '../workloads/mnist.js';
import { PLANAR, type PlanarFixture } from '../workloads/planar.js';

/**
 * Selects the backend for a variant; returns a note for the results, or
 * throws an Error whose message says why the variant cannot run.
 */
export async function useBackend(kind: 'js' | 'wasm', threads: 1 | 2 = 1): Promise<string> {
  if (kind === 'js') {
    setBackend('js');
    return 'reference (js) backend';
  }
  let wasm: typeof import('../../src/backend/wasm/index.js');
  try {
    wasm = await import('../../src/backend/wasm/index.js');
  } catch (e) {
    throw new Error(`n/a (wasm backend not built: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  const be = await wasm.initWasmBackend({ threads });
  if (be.name !== 'wasm') throw new Error(`n/a (wasm backend did not load here; got "${be.name}")`);
  setBackend('wasm');
  const active = wasm.wasmThreads();
  if (active !== threads) throw new Error(`n/a (asked for ${threads} wasm threads, ${active} running)`);
  return `wasm backend, ${active} thread${active === 1 ? '' : 's'}`;
}

function toTensor(m: Matrix): Tensor {
  return new Tensor([m.rows, m.cols], m.data);
}

function makeNetwork(init: readonly LayerInit[], activations: readonly ActivationName[], seed = 0, rows = false): Network {
  const n = init[0]!.W.cols;
  const net = new Network({
    // rows: X is (m, n_x), one row per example.
    ...(rows ? { inputShape: [n] as [number] } : { inputSize: n }),
    layers: init.map((l, i) => ({ units: l.W.rows, activation: activations[i]! })),
    // Overwritten below with the shared starting weights.
    init: 'zeros',
    seed,
  });
  const p = net.parameters;
  init.forEach((l, i) => {
    p[`W${i + 1}`]!.data.set(l.W.data);
    p[`b${i + 1}`]!.data.set(l.b.data);
  });
  return net;
}

/**
 * The MLP network every layerwise MNIST variant trains: the fixture's
 * starting weights, and the generator (seed 1) whose shuffles are the
 * fixture's batch order (make-fixtures.ts draws them from this network).
 */
export function mnistNetwork(init: readonly LayerInit[], rows = false): Network {
  return makeNetwork(init, ['relu', 'relu', 'softmax'], MNIST.seed, rows);
}

/** fit's options for the MLP: Adam, batch 64, shuffled every epoch by fit itself (the fixture's order). */
function mnistFitOptions(epochs: number, optimizer: Adam, epochEnd: () => void): FitOptions {
  return { learningRate: MNIST.learningRate, epochs, batchSize: MNIST.batchSize, shuffle: true, optimizer, onEpoch: () => epochEnd() };
}

function mnistAdam(): Adam {
  return new Adam({ beta1: MNIST.beta1, beta2: MNIST.beta2, epsilon: MNIST.epsilon });
}

function mnistSnapshot(net: Network, init: readonly LayerInit[]): LayerInit[] {
  return init.map((_, l) => {
    const W = net.parameters[`W${l + 1}`]!;
    const b = net.parameters[`b${l + 1}`]!;
    return { W: matrix(W.rows, W.cols, Float32Array.from(W.data)), b: matrix(b.rows, b.cols, Float32Array.from(b.data)) };
  });
}

/** Path (a): the data already in the course's layout, X (784, m); one fit call for all epochs, fit gathering and shuffling the batches. */
export function layerwiseMnistTrainer(f: MnistFixture, note: string): MnistTrainer {
  const net = mnistNetwork(f.init);
  const X = toTensor(f.trainX);
  const Y = toTensor(f.trainY);
  return {
    sameComputation: true,
    note: `${note}; X (784, m), one fit call`,
    async train(epochs, epochEnd) {
      // One fit call for all epochs, as a user would write it.
      fit(net, X, Y, mnistFitOptions(epochs, mnistAdam(), epochEnd));
    },
    snapshot: () => mnistSnapshot(net, f.init),
  };
}

/**
 * Path (b): row-per-example data, X as (m, 784) rows and one label per row
 * (what a CSV, a binary file or a JS array of examples gives), made once
 * outside the timing. The network is built with `inputShape: [784]`, so it
 * takes the rows as they are; each timed epoch makes the one-hot targets
 * (oneHot: labels -> (10, m)) and calls fit for one epoch, which copies the
 * rows into the backend, checks them and gathers each batch into the course's
 * columns; the same Adam carries its state from call to call. fit draws each
 * call's shuffle from the same generator, so the batches are path (a)'s.
 */
export function layerwiseRowsMnistTrainer(f: MnistFixture, note: string): MnistTrainer {
  const net = mnistNetwork(f.init, true);
  const m = f.trainX.cols;
  const n = f.trainX.rows;
  const rows = new Float32Array(m * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) rows[j * n + i] = f.trainX.data[i * m + j]!;
  const labels = Array.from(labelsOf(f.trainY));
  const classes = f.trainY.rows;
  return {
    sameComputation: true,
    note: `${note}; X (m, 784) rows, inputShape [784]: oneHot + fit per epoch`,
    async train(epochs, epochEnd) {
      const adam = mnistAdam();
      const X = new Tensor([m, n], rows);
      for (let e = 0; e < epochs; e++) {
        const Y = oneHot(labels, classes);
        fit(net, X, Y, mnistFitOptions(1, adam, epochEnd));
      }
    },
    snapshot: () => mnistSnapshot(net, f.init),
  };
}

export function layerwisePlanarTrainer(f: PlanarFixture, note: string): PlanarTrainer {
  const net = makeNetwork(f.init, ['tanh', 'sigmoid']);
  const X = toTensor(f.X);
  const Y = toTensor(f.Y);
  return {
    note,
    train(iterations) {
      fit(net, X, Y, { learningRate: PLANAR.learningRate, iterations });
    },
    evaluate: () => ({ cost: net.cost(X, Y), accuracy: accuracy(net.classify(X), Y) }),
  };
}

/**
 * `batches` batches of `s.batchSize` in the data's order (epoch after epoch) with Adam, in one fit
 * call as a user would write it (`iterations` counts batches across epochs); `batchEnd` gets each
 * batch's cost, computed before its update.
 */
export function fitInOrder(
  net: Network,
  X: Tensor,
  Y: Tensor,
  s: { readonly learningRate: number; readonly batchSize: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number },
  batches: number,
  batchEnd: (cost: number) => void,
): void {
  fit(net, X, Y, {
    learningRate: s.learningRate,
    iterations: batches,
    batchSize: s.batchSize,
    shuffle: false,
    optimizer: new Adam({ beta1: s.beta1, beta2: s.beta2, epsilon: s.epsilon }),
    onIteration: (_, cost) => batchEnd(cost),
  });
}

/** The CNN through Network + fit, images (m, 28, 28, 1), one-hot Y (10, m), starting from the fixture's weights. */
export function layerwiseCnnTrainer(f: CnnFixture, note: string): CnnTrainer {
  const net = new Network({ inputShape: CNN.input, layers: cnnLayers(), seed: CNN.seed });
  for (const key of CNN_PARAMS) {
    const p = net.parameters[key];
    if (!p || p.data.length !== f.init[key].length) throw new Error(`layerwise CNN: parameter ${key} has shape ${p ? p.shape.join('x') : 'none'}, the fixture ${f.init[key].length} values`);
    p.data.set(f.init[key]);
  }
  const X = new Tensor([f.trainX.rows, ...CNN.input], f.trainX.data);
  const Y = toTensor(f.trainY);
  return {
    note,
    async train(batches, batchEnd) {
      fitInOrder(net, X, Y, CNN, batches, batchEnd);
    },
    snapshot() {
      const out = {} as CnnWeights;
      for (const key of CNN_PARAMS) out[key] = Float32Array.from(net.parameters[key]!.data);
      return out;
    },
  };
}

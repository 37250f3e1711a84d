/**
 * Explicit lifetimes (issue 14): dispose() and `using` on tensors, plans and
 * networks, on both backends, and the memory() report's numbers.
 */
import { describe, expect, it } from 'vitest';
import { Adam, DisposedError, fit, getBackend, memory, Network, Plan, tensor, zeros } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

const small = () => new Network({ inputSize: 3, layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], seed: 1 });
const X = [
  [0, 1, 2, 3],
  [1, 0, 1, 0],
  [2, 2, 0, 1],
];
const Y = [[0, 1, 1, 0]];

describeEachBackend('dispose and using', (backend) => {
  it('Symbol.dispose exists (Node 20 has it; the library polyfills it elsewhere)', () => {
    expect(typeof Symbol.dispose).toBe('symbol');
  });

  it('a disposed network throws a DisposedError naming the call; its parameters are disposed with it', () => {
    const net = small();
    const W1 = net.parameters.W1!;
    const alias = W1.reshape([12]);
    net.dispose();
    expect(net.disposed).toBe(true);
    expect(W1.disposed).toBe(true);
    // On wasm every tensor over the block goes with it; a js tensor's reshape keeps its (garbage-collected) values.
    expect(alias.disposed).toBe(backend === 'wasm');
    expect(() => net.predict(X)).toThrow(DisposedError);
    expect(() => net.predict(X)).toThrow('predict: the network was disposed (net.dispose())');
    expect(() => net.cost(X, Y)).toThrow(/^cost: the network was disposed/);
    expect(() => net.classify(X)).toThrow(DisposedError);
    expect(() => net.parameters).toThrow(DisposedError);
    expect(() => fit(net, X, Y, { learningRate: 0.1, iterations: 1 })).toThrow(/^fit: the network was disposed/);
    expect(() => new Plan(net, 4, true)).toThrow(DisposedError);
    expect(() => W1.get(0, 0)).toThrow(/Tensor\(4, 3\) was disposed/);
    net.dispose(); // twice: nothing
  });

  it('what a network handed out is the caller\'s: predictions and classes survive its dispose', () => {
    const net = small();
    const A = net.predict(X);
    const labels = net.classify(X);
    const values = Array.from(A.data);
    net.dispose();
    expect(Array.from(A.data)).toEqual(values);
    expect(labels.cols).toBe(4);
  });

  it('`using` disposes a network, a plan and a tensor at the end of the block, also when it throws', () => {
    let net!: Network;
    let plan!: Plan;
    let t!: ReturnType<typeof zeros>;
    {
      using n = small();
      using p = new Plan(n, 4, true);
      using z = getBackend().zeros([2, 2], 'float32');
      p.run(tensor(X));
      [net, plan, t] = [n, p, z];
      expect(net.disposed || plan.disposed || t.disposed).toBe(false);
    }
    expect(net.disposed && plan.disposed && t.disposed).toBe(true);
    expect(() => plan.forward()).toThrow('Plan.forward: the plan (batch size 4) was disposed');
    let inner!: Network;
    expect(() => {
      using n = small();
      inner = n;
      throw new Error('boom');
    }).toThrow('boom');
    expect(inner.disposed).toBe(true);
  });

  it('a plan disposed alone leaves its network usable; a network disposed disposes the plans made for it', () => {
    const net = small();
    const plan = new Plan(net, 4, false);
    plan.dispose();
    expect(plan.disposed).toBe(true);
    expect(() => plan.run(tensor(X))).toThrow(DisposedError);
    expect(net.predict(X).cols).toBe(4);
    const other = new Plan(net, 4, false);
    net.dispose();
    expect(other.disposed).toBe(true);
    expect(() => other.forward()).toThrow(/disposed with its network/);
  });

  it('fit leaves nothing behind but a user optimizer\'s state, and the results are the same either way', () => {
    const a = small();
    const b = small();
    const options = { learningRate: 0.5, epochs: 20, batchSize: 3, dev: { X, Y }, earlyStopping: { patience: 50 } };
    const before = memory().wasm?.tensors ?? 0;
    fit(a, X, Y, { ...options, optimizer: 'adam' });
    expect(memory().wasm?.tensors ?? 0).toBe(before);
    // A user's optimizer keeps its state (m and v for W1, b1, W2, b2) for the next call.
    const adam = new Adam();
    fit(b, X, Y, { ...options, optimizer: adam });
    expect(memory().wasm?.tensors ?? 0).toBe(before + (backend === 'wasm' ? 8 : 0));
    expect(Array.from(b.parameters.W1!.data)).toEqual(Array.from(a.parameters.W1!.data));
    a.dispose();
    b.dispose();
  });
});

describe('memory()', () => {
  it('counts the tensors and bytes of a network, and gives them back on dispose', () => {
    expect(getBackend().name).toBe('wasm');
    const before = memory().wasm!;
    const net = new Network({ inputSize: 784, layers: [{ units: 256 }, { units: 10, activation: 'softmax' }] });
    const held = memory().wasm!;
    // W1 (256, 784), b1 (256, 1), W2 (10, 256), b2 (10, 1): blocks round up to 64 bytes.
    expect(held.tensors! - before.tensors!).toBe(4);
    expect(held.tensorBytes! - before.tensorBytes!).toBe(256 * 784 * 4 + 256 * 4 + 10 * 256 * 4 + 64);
    expect(held.bytesInUse! - before.bytesInUse!).toBe(held.tensorBytes! - before.tensorBytes!);
    expect(held.blocksInUse!).toBeGreaterThanOrEqual(held.tensors!);
    expect(held.memoryBytes!).toBeGreaterThanOrEqual(held.bytesInUse!);
    expect(held.maxBytes).toBe(2 ** 32);
    expect(held.shared).toBe(true);
    net.predict(Array.from({ length: 784 }, () => [0, 1]));
    // The inference plan for 2 examples: input, Z1, A1, Z2, A2 and the target.
    expect(memory().wasm!.tensors! - held.tensors!).toBe(6);
    net.dispose();
    expect(memory().wasm!.tensors).toBe(before.tensors);
    expect(memory().wasm!.tensorBytes).toBe(before.tensorBytes);
    expect(memory().js).toMatchObject({ backend: 'js', tensors: null, bytesInUse: null, memoryBytes: null });
  });

  it('counts a dropped tensor until it is collected, a disposed one never again', () => {
    const t0 = memory().wasm!.tensors!;
    const t = zeros([2, 2]); // the js heap: not counted
    expect(memory().wasm!.tensors).toBe(t0);
    const w = getBackend().zeros([64, 64], 'float32');
    expect(memory().wasm!.tensors).toBe(t0 + 1);
    w.dispose();
    t.dispose();
    expect(memory().wasm!.tensors).toBe(t0);
    expect(t.disposed).toBe(true);
  });
});

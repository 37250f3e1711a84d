/**
 * The course's initialization study on two circles (2-10-5-1 ReLU, lr 0.01,
 * 15,000 iterations): zeros cannot break symmetry (50%), large random init
 * trains poorly, He works well.
 */
import { expect, it } from 'vitest';
import { accuracy, fit, makeCircles, Network, type InitSpec } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

const train = makeCircles({ m: 300, noise: 0.05, seed: 1 });
const test = makeCircles({ m: 100, noise: 0.05, seed: 2 });

function run(init: InitSpec) {
  const net = new Network({ inputSize: 2, layers: [{ units: 10, activation: 'relu' }, { units: 5, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], init, seed: 3 });
  const h = fit(net, train.X, train.Y, { learningRate: 0.01, iterations: 15_000 });
  return { net, h, train: accuracy(net.classify(train.X), train.Y), test: accuracy(net.classify(test.X), test.Y) };
}

describeEachBackend('initialization study (two circles)', () => {
  it('zeros: every unit stays identical, the cost stays at log 2 and accuracy at 50%', () => {
    const r = run('zeros');
    expect(r.train).toBe(0.5);
    expect(r.h.cost.at(-1)!).toBeCloseTo(Math.log(2), 4);
    const W1 = r.net.parameters.W1!;
    for (let i = 1; i < W1.rows; i++) expect([W1.get(i, 0), W1.get(i, 1)]).toEqual([W1.get(0, 0), W1.get(0, 1)]);
  });

  it('large random (randn * 10): a huge first cost and a poor fit; He: >= 95% train and test', () => {
    const big = run({ name: 'random', scale: 10 });
    const he = run('he');
    expect(big.h.cost[0]!).toBeGreaterThan(100);
    expect(big.train).toBeLessThan(0.8);
    expect(he.train).toBeGreaterThanOrEqual(0.95);
    expect(he.test).toBeGreaterThanOrEqual(0.95);
  });
});

import { expect, it } from 'vitest';
import { DivergenceError, fit, Network, Optimizer } from '../../src/index.js';
import { describeEachBackend } from '../helpers.js';

describeEachBackend('fit', () => {
  it('stops on divergence with the iteration and keeps the last finite parameters', () => {
    // a linear regression with a huge learning rate: the cost grows geometrically until it overflows float32
    const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'linear' }], init: 'zeros' });
    let err: unknown;
    try {
      fit(net, [[1, 2, 3]], [[2, 4, 6]], { learningRate: 100, iterations: 1000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DivergenceError);
    const d = err as DivergenceError;
    expect(d.iteration).toBeGreaterThan(0);
    expect(d.message).toMatch(/^fit: the cost became (NaN|Infinity) at iteration \d+ \(epoch \d+, learning rate 100\); try a lower learning rate/);
    expect(Number.isFinite(net.parameters.W1!.data[0]!)).toBe(true);
    expect(Number.isFinite(net.cost([[1, 2, 3]], [[2, 4, 6]]))).toBe(true);
  });

  it('calls onIteration with each cost', () => {
    const net = new Network({ inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], init: 'zeros' });
    const seen: number[] = [];
    const h = fit(net, [[1, -1]], [[1, 0]], { learningRate: 0.5, iterations: 5, onIteration: (i, c) => seen.push(i, c) });
    expect(seen.filter((_, k) => k % 2 === 0)).toEqual([0, 1, 2, 3, 4]);
    expect(seen.filter((_, k) => k % 2 === 1)).toEqual(h.cost);
    // cost decreases monotonically on this convex problem
    for (let i = 1; i < 5; i++) expect(h.cost[i]!).toBeLessThan(h.cost[i - 1]!);
  });

  it('rejects an optimizer that is not an Optimizer', () => {
    const net = new Network({ inputSize: 1, layers: [{ units: 1 }] });
    expect(() => fit(net, [[1]], [[1]], { learningRate: 0.1, iterations: 1, optimizer: {} as Optimizer })).toThrow('fit: optimizer.name: expected one of "gd", "momentum", "rmsprop", "adam", got undefined');
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { deserializeModel, DivergenceError, Network, type History } from '../../src/index.js';
import { featureMatrix } from '../../playground/src/features.js';
import { Session } from '../../playground/src/session.js';
import { typescriptSnippet } from '../../playground/src/snippet.js';
import { defaultState, type State } from '../../playground/src/state.js';

const state = (edit: Partial<State> = {}): State => ({ ...defaultState(), ...edit });

describe('playground training session', () => {
  it('trains the default circle network to a low dev error, deterministically', () => {
    const run = () => {
      const s = new Session(state(), null);
      const before = s.snapshot();
      s.train(150);
      return { before, after: s.snapshot(), epoch: s.epoch };
    };
    const a = run();
    expect(a.epoch).toBe(150);
    expect(a.after.train.loss).toBeLessThan(a.before.train.loss / 3);
    expect(a.after.dev.error).toBeLessThan(0.05);
    expect(a.after.output.length).toBe(50 * 50);
    expect(a.after.neurons.length).toBe((4 + 2) * 50 * 50);
    const b = run();
    expect(b.after.weights.map((w) => Array.from(w))).toEqual(a.after.weights.map((w) => Array.from(w)));
  });

  it('splits 60/20/20 and uses softmax for three spiral classes', () => {
    const s = new Session(state({ dataset: 'spiral', classes: 3, optimizer: 'adam', learningRate: 0.01 }), null);
    const info = s.info();
    expect([info.train.x1.length, info.dev.x1.length, info.test.x1.length]).toEqual([300, 100, 100]);
    expect(info.layerDims).toEqual([2, 4, 2, 3]);
    expect(s.net.outputLayer.activation.kind).toBe('softmax');
    s.train(30);
    expect(s.snapshot().outRows).toBe(3);
  });

  it('keeps decaying the learning rate across separate train calls', () => {
    const s = new Session(state({ decay: 'inverseTime', decayRate: 0.1, learningRate: 0.1 }), null);
    s.train(5);
    s.train(5);
    expect(s.lastRate).toBeCloseTo(0.1 / (1 + 0.1 * 9), 12);
  });

  it('stops with a DivergenceError on an exploding regression and keeps finite weights', () => {
    const s = new Session(state({ problem: 'regression', dataset: 'plane', learningRate: 10, hidden: [{ units: 8, activation: 'relu', keepProb: 1 }], init: 'he' }), null);
    expect(() => s.train(200)).toThrow(DivergenceError);
    for (const w of s.snapshot().weights) for (const v of w) expect(Number.isFinite(v)).toBe(true);
  });

  it('exports a model the library loads, with the same predictions', () => {
    const s = new Session(state({ features: ['x1', 'x2', 'x1x2'] }), null);
    s.train(20);
    const { manifest, weights } = s.exportModel();
    const { network, metadata } = deserializeModel(JSON.parse(JSON.stringify(manifest)), weights);
    expect(metadata.features).toEqual(['x1', 'x2', 'x1x2']);
    const X = featureMatrix(['x1', 'x2', 'x1x2'], [1, -2, 3], [0.5, 4, -1]);
    const Xt = [Array.from(X.slice(0, 3)), Array.from(X.slice(3, 6)), Array.from(X.slice(6, 9))];
    expect(Array.from(network.predict(Xt).data)).toEqual(Array.from(s.net.predict(Xt).data));
  });

  it('prints TypeScript that builds the same network', async () => {
    const s = state({ hidden: [{ units: 3, activation: 'leakyRelu', keepProb: 0.8 }], regularization: 'l2', regRate: 0.01, optimizer: 'momentum', decay: 'exponential', normalize: true });
    const code = typescriptSnippet(s, 2);
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    const dir = mkdtempSync(join(tmpdir(), 'layerwise-snippet-'));
    try {
      const file = join(dir, 'snippet.mjs');
      writeFileSync(file, js.replace(/from 'layerwise'/, `from ${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)}`));
      const mod = (await import(/* @vite-ignore */ file)) as { net: Network; train: (p: [number, number][], y: number[], e: number) => History };
      expect(mod.net.layerDims).toEqual(new Session(s, null).net.layerDims);
      expect(mod.net.layers[0]!.keepProb).toBe(0.8);
      expect(mod.net.layers[0]!.l2).toBe(0.01);
      const points: [number, number][] = Array.from({ length: 40 }, (_, i) => [Math.cos(i), Math.sin(i * 1.3)]);
      const h = mod.train(points, points.map(([a]) => (a > 0 ? 1 : 0)), 30);
      // 40 points in batches of 10: 4 steps per epoch, 30 epochs; it learns (x1 > 0 is separable), with the
      // state's momentum and a learning rate that decays every epoch from the state's 0.03.
      expect(h.epochs).toHaveLength(30);
      expect(h.cost).toHaveLength(120);
      expect(h.epochs.at(-1)!.cost).toBeLessThan(0.8 * h.epochs[0]!.cost);
      const rates = h.epochs.map((e) => e.learningRate);
      expect(rates[0]).toBeLessThanOrEqual(0.03);
      for (let e = 1; e < rates.length; e++) expect(rates[e]).toBeLessThan(rates[e - 1]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

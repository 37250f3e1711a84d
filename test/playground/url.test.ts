import { describe, expect, it } from 'vitest';
import { defaultState, type State } from '../../playground/src/state.js';
import { decodeHash, encodeHash } from '../../playground/src/url.js';

describe('playground URL hash', () => {
  it('round-trips every field, seed included', () => {
    const s: State = {
      ...defaultState(),
      seed: 4242,
      problem: 'classification',
      dataset: 'spiral',
      classes: 3,
      noise: 15,
      trainPct: 50,
      devPct: 25,
      batchSize: 17,
      features: ['x1', 'x2', 'sinx1'],
      hidden: [
        { units: 8, activation: 'leakyRelu', keepProb: 0.8 },
        { units: 3, activation: 'sigmoid', keepProb: 1 },
        { units: 5, activation: 'relu', keepProb: 0.5 },
      ],
      output: 'tanh',
      learningRate: 0.00001,
      optimizer: 'adam',
      decay: 'exponential',
      decayRate: 0.01,
      init: 'zeros',
      regularization: 'l1',
      regRate: 0.003,
      inputKeepProb: 0.9,
      batchNorm: true,
      normalize: true,
      showTest: true,
      discretize: true,
      optimalError: 2.5,
      speed: 'max',
      backend: 'js',
    };
    const hash = encodeHash(s);
    expect(hash).toContain('lr=0.00001');
    expect(hash).toContain('layers=8,3,5');
    const back = decodeHash(`#${hash}`);
    expect(back.notices).toEqual([]);
    expect(back.state).toEqual(s);
  });

  it('gives the defaults, silently, for an empty hash', () => {
    expect(decodeHash('')).toEqual({ state: defaultState(), notices: [] });
    expect(decodeHash('#')).toEqual({ state: defaultState(), notices: [] });
  });

  it('ignores unknown keys and out-of-range values with a notice each, keeping the rest', () => {
    const { state, notices } = decodeHash('#seed=7&bogus=1&lr=banana&noise=55&layers=3,99&batch=0&act=tanh&dataset=nowhere&optimizer=sgd&features=x1,x9');
    expect(state.seed).toBe(7);
    const d = defaultState();
    expect(state.learningRate).toBe(d.learningRate);
    expect(state.noise).toBe(d.noise);
    expect(state.hidden).toEqual(d.hidden);
    expect(state.batchSize).toBe(d.batchSize);
    expect(state.dataset).toBe(d.dataset);
    expect(state.optimizer).toBe(d.optimizer);
    expect(state.features).toEqual(d.features);
    expect(notices.join('\n')).toMatch(/unknown setting “bogus”/);
    expect(notices.join('\n')).toMatch(/lr=“banana”/);
    expect(notices.join('\n')).toMatch(/noise=“55”: expected a multiple of 5 from 0 to 50/);
    expect(notices.join('\n')).toMatch(/layers=“3,99”/);
    expect(notices.join('\n')).toMatch(/act=“tanh”: expected 2 activations/);
    expect(notices.join('\n')).toMatch(/features=“x1,x9”: unknown feature x9/);
    expect(notices.length).toBe(9);
  });

  it('fixes combinations: a classification dataset under regression, shares over 100%', () => {
    const a = decodeHash('#problem=regression&dataset=circle');
    expect(a.state.dataset).toBe('plane');
    expect(a.notices[0]).toMatch(/not a regression dataset/);
    const b = decodeHash('#train=90&dev=45');
    expect([b.state.trainPct, b.state.devPct]).toEqual([60, 20]);
    expect(b.notices[0]).toMatch(/over 100%/);
  });

  it('reads layers before their activations and keep probabilities whatever the order', () => {
    const { state, notices } = decodeHash('#keep=0.5,1,1&act=relu,tanh,relu&layers=2,3,4');
    expect(notices).toEqual([]);
    expect(state.hidden).toEqual([
      { units: 2, activation: 'relu', keepProb: 0.5 },
      { units: 3, activation: 'tanh', keepProb: 1 },
      { units: 4, activation: 'relu', keepProb: 1 },
    ]);
  });

  it('accepts zero hidden layers (logistic regression)', () => {
    const { state, notices } = decodeHash('#layers=&act=&keep=');
    expect(notices).toEqual([]);
    expect(state.hidden).toEqual([]);
  });
});

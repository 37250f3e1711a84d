/**
 * The course's date translation (course 5, week 3) learns: the assignment's model (bidirectional
 * LSTM encoder n_a = 32, attention decoder T_y = 10 with n_s = 64, T_x = 30) trained with fit from a
 * fixed seed on 5,000 generated dates for 3 epochs translates >= 95% of 1,000 held-out dates
 * exactly (all 10 characters). Its attention weights are distributions that look somewhere: the
 * digits of a 'dd.MM.YY' date's year are read mostly from the source's year digits.
 */
import { describe, expect, it } from 'vitest';
import { attentionWeights, dateVocabularies, encodeDatePairs, encodeDateSources, fit, formatDate, generateDates, Network } from '../../src/index.js';

describe('date translation with attention (course 5, week 3)', () => {
  it('>= 95% exact match on 1,000 held-out dates after 3 epochs over 5,000 (seeded)', () => {
    const { source, target } = dateVocabularies();
    const train = generateDates(5_000, { seed: 1 });
    const seen = new Set(train.map((p) => p.source));
    const test = generateDates(2_000, { seed: 2 })
      .filter((p) => !seen.has(p.source))
      .slice(0, 1_000);
    expect(test.length).toBe(1_000);
    const { X, Y } = encodeDatePairs(train);
    const net = new Network({
      inputShape: { sequence: [source.size, 30] },
      layers: [
        { type: 'bidirectional', layer: { type: 'lstm', units: 32, returnSequences: true } },
        { type: 'attention', steps: 10, units: 64 },
        { type: 'timeDistributed', units: target.size, activation: 'softmax' },
      ],
      seed: 3,
    });
    const start = performance.now();
    const h = fit(net, X, Y, { learningRate: 0.02, epochs: 3, batchSize: 50, optimizer: 'adam' });
    const seconds = (performance.now() - start) / 1000;
    console.log(`date translation: 3 epochs over 5,000 dates in ${seconds.toFixed(1)} s, mini-batch loss ${h.cost[0]!.toFixed(4)} -> ${h.cost.at(-1)!.toFixed(4)}`);
    expect(h.cost.at(-1)!).toBeLessThan(0.1);

    const C = net.classify(encodeDateSources(test.map((p) => p.source)));
    const right = test.filter((p, j) => target.decode(C.data.subarray(j * 10, (j + 1) * 10)) === p.target).length;
    console.log(`date translation: exact match ${right} / 1,000 held-out dates`);
    expect(right / test.length).toBeGreaterThanOrEqual(0.95);

    // '21.07.89': the year's last two output digits (steps 2 and 3) read most from the source's '8' and '9' (steps 6 and 7).
    const shown = formatDate({ year: 1989, month: 7, day: 21 }, 'dd.MM.YY');
    expect(shown).toBe('21.07.89');
    const A = attentionWeights(net, encodeDateSources([shown]));
    for (const [out, src] of [
      [2, 6],
      [3, 7],
    ] as const) {
      const row = Array.from(A.data.subarray(out * 30, (out + 1) * 30));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
      expect(row.indexOf(Math.max(...row))).toBe(src);
    }
  }, 240_000);
});

/**
 * brain.js 1.x's recurrent.LSTM on the LSTM workload: one hidden layer of 128
 * units trained on the same 26-character strings, 32 per "batch" (one pass
 * of its train() over them). It cannot do the same computation: it draws
 * its own starting weights (no API sets them), feeds characters through a
 * learned input matrix with start and end tokens (27 steps a string), and
 * updates after every string with its own RMSprop-like rule (clipping at 5,
 * L2 1e-6); its error is its perplexity figure, not the cross-entropy. So its
 * sequences/s is comparable work per sequence, its cost is not compared.
 */
import { createRequire } from 'node:module';
import { LSTM, batchRows, type LstmFixture, type LstmTrainer } from '../workloads/lstm.js';

interface BrainLstm {
  train(data: string[], options: { iterations: number; errorThresh?: number; learningRate?: number }): { error: number; iterations: number };
}

// brain.js is CommonJS whose named exports Node's ESM loader cannot detect: require it.
const brain = createRequire(import.meta.url)('brain.js') as { recurrent: { LSTM: new (options: { hiddenLayers: number[] }) => BrainLstm } };

export function brainLstmTrainer(f: LstmFixture): LstmTrainer {
  const width = LSTM.steps + 1;
  const strings = (i: number): string[] => {
    const rows = batchRows(f, i);
    return Array.from({ length: LSTM.batchSize }, (_, j) => Array.from(rows.subarray(j * width, (j + 1) * width), (c) => f.chars[c]!).join(''));
  };
  const net = new brain.recurrent.LSTM({ hiddenLayers: [LSTM.units] });
  // Zero iterations: builds its character table from every string and sizes the network, trains nothing.
  net.train(Array.from({ length: LSTM.batchesPerEpoch }, (_, i) => strings(i)).flat(), { iterations: 0 });
  return {
    sameComputation: false,
    note: 'brain.js 1.x recurrent.LSTM: its own starting weights (none can be set), input matrix, start/end tokens, per-sequence RMSprop-like updates; cost is its error figure, not compared',
    async train(batches, batchEnd) {
      for (let i = 0; i < batches; i++) {
        const { error } = net.train(strings(i), { iterations: 1, errorThresh: 0, learningRate: LSTM.learningRate });
        batchEnd(error);
      }
    },
  };
}

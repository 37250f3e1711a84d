/**
 * The LSTM workload's child side: loads the variant's library (its backend
 * selected), runs its trainer for `batches` batches under measureLstm (or
 * lets PyTorch time itself) and returns the result line. Called by
 * bench/child.ts for `child.ts lstm <variant> <batches>`.
 */
import { maxRssMiB } from '../shared/measure.js';
import type { ChildResult, VariantId } from '../shared/types.js';
import { lstmVariantById } from '../variants.js';
import { loadLstmFixture, measureLstm, summarizeLstm, type LstmFixture, type LstmTrainer } from '../workloads/lstm.js';

async function trainerFor(variant: VariantId, f: LstmFixture): Promise<LstmTrainer> {
  switch (variant) {
    case 'layerwise-wasm2':
    case 'layerwise-wasm1':
    case 'layerwise-js': {
      const lw = await import('./layerwise.js');
      const note = await lw.useBackend(variant === 'layerwise-js' ? 'js' : 'wasm', variant === 'layerwise-wasm2' ? 2 : 1);
      return (await import('./lstm-layerwise.js')).layerwiseLstmTrainer(f, note);
    }
    case 'tfjs-wasm':
    case 'tfjs-cpu': {
      const t = await import('./tfjs.js');
      const note = await t.useTfBackend(variant === 'tfjs-wasm' ? 'wasm' : 'cpu');
      return (await import('./lstm-tfjs.js')).tfLstmTrainer(f, note);
    }
    case 'brain':
      return (await import('./lstm-brain.js')).brainLstmTrainer(f);
    case 'plain-js':
      return (await import('./lstm-plain.js')).plainLstmTrainer(f);
    default:
      throw new Error(`n/a (${lstmVariantById(variant)?.reason ?? 'no LSTM trainer'})`);
  }
}

/** One variant on the LSTM workload; failures become an "ok: false" line with the library's own message. */
export async function runLstmChild(variant: VariantId, batches: number): Promise<ChildResult> {
  try {
    const f = loadLstmFixture();
    const V = f.chars.length;
    if (variant === 'torch1' || variant === 'torch2') return summarizeLstm(variant, await (await import('./torch.js')).torchLstmRun(variant === 'torch1' ? 1 : 2, batches), V);
    const trainer = await trainerFor(variant, f);
    const run = await measureLstm(trainer, batches);
    return summarizeLstm(variant, { ...run, sameComputation: trainer.sameComputation, ...(trainer.sequencesPerBatch ? { sequencesPerBatch: trainer.sequencesPerBatch } : {}), maxRssMiB: maxRssMiB(), ...(trainer.note ? { note: trainer.note } : {}) }, V);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!message.startsWith('n/a')) console.error(e);
    return { workload: 'lstm', variant, ok: false, reason: message.startsWith('n/a') ? message : `failed: ${message.split('\n')[0]}` };
  }
}

/**
 * One variant on one workload, in its own process (so no library's JIT
 * state, threads or memory leaks into another's figures). Prints the result
 * as JSON on its last stdout line.
 *
 * Usage: node --expose-gc --import tsx bench/child.ts <mnist|planar|cnn|lstm> <variant> <count> [examples]
 * (count: epochs for mnist, iterations for planar, batches for cnn and lstm; examples: an MNIST prefix for very slow peers)
 */
import { measureCnn, measureMnist, measurePlanar, summarizeCnn, summarizeMnist, type CnnRun, type CnnTrainer, type MnistRunKind, type MnistTrainer, type PlanarTrainer } from './shared/measure.js';
import type { ChildResult, MnistResult, VariantId, WorkloadId } from './shared/types.js';
import { CNN_EPOCH, cnnVariantById, lstmVariantById, variantById } from './variants.js';
import { loadMnistFixture, type MnistFixture } from './workloads/mnist.js';
import { labelsOf, loadCnnFixture, type CnnFixture } from './workloads/cnn.js';
import { loadPlanarFixture, type PlanarFixture } from './workloads/planar.js';

/** A peer's trainers for the Node workloads, its library loaded and its backend selected. */
interface Peer {
  mnist(f: MnistFixture): MnistTrainer;
  planar(f: PlanarFixture): PlanarTrainer;
  cnn(f: CnnFixture): CnnTrainer;
}

async function loadPeer(variant: VariantId, mnistExamples: number | undefined): Promise<Peer> {
  switch (variant) {
    case 'layerwise-wasm2':
    case 'layerwise-wasm1':
    case 'layerwise-js': {
      const lw = await import('./peers/layerwise.js');
      const note = await lw.useBackend(variant === 'layerwise-js' ? 'js' : 'wasm', variant === 'layerwise-wasm2' ? 2 : 1);
      return { mnist: (f) => lw.layerwiseMnistTrainer(f, note), planar: (f) => lw.layerwisePlanarTrainer(f, note), cnn: (f) => lw.layerwiseCnnTrainer(f, note) };
    }
    case 'layerwise-rows2':
    case 'layerwise-rows1': {
      const lw = await import('./peers/layerwise.js');
      const note = await lw.useBackend('wasm', variant === 'layerwise-rows2' ? 2 : 1);
      return { mnist: (f) => lw.layerwiseRowsMnistTrainer(f, note), planar: () => notHere(variant, 'planar'), cnn: () => notHere(variant, 'cnn') };
    }
    case 'tfjs-wasm':
    case 'tfjs-cpu': {
      const t = await import('./peers/tfjs.js');
      const note = await t.useTfBackend(variant === 'tfjs-wasm' ? 'wasm' : 'cpu');
      return { mnist: (f) => t.tfMnistTrainer(f, note), planar: (f) => t.tfPlanarTrainer(f, note), cnn: (f) => t.tfCnnTrainer(f, note) };
    }
    case 'plain-js': {
      const p = await import('./peers/plain-js.js');
      const c = await import('./peers/plain-cnn.js');
      return { mnist: p.plainMnistTrainer, planar: p.plainPlanarTrainer, cnn: (f) => c.plainCnnTrainer(f, labelsOf(f.trainY)) };
    }
    case 'brain': {
      const b = await import('./peers/brain.js');
      return {
        mnist: (f) => b.brainMnistTrainer(f, mnistExamples ?? f.trainX.cols),
        planar: () => notHere(variant, 'planar'),
        cnn: () => notHere(variant, 'cnn'),
      };
    }
    case 'torch1':
    case 'torch2':
      throw new Error('PyTorch times itself: runMnist and runCnn call bench/peers/torch.ts');
  }
}

/** Throws the variant's own "n/a (...)" reason for a workload it cannot run. */
function notHere(variant: VariantId, workload: 'planar' | 'cnn'): never {
  throw new Error((workload === 'planar' ? variantById(variant)?.planarReason : cnnVariantById(variant)?.reason) ?? 'n/a');
}

const torchThreads = (variant: VariantId) => (variant === 'torch1' ? 1 : 2);

/** Runs `epochs` MNIST epochs on a variant (PyTorch timing itself in Python) and judges its weights by the shared evaluation. */
async function runMnist(variant: VariantId, f: MnistFixture, epochs: number, examples: number | undefined): Promise<MnistResult> {
  if (variant === 'torch1' || variant === 'torch2') {
    return summarizeMnist(variant, await (await import('./peers/torch.js')).torchMlpRun(torchThreads(variant), epochs, f.init), f);
  }
  const trainer = (await loadPeer(variant, examples)).mnist(f);
  const kind: MnistRunKind = { sameComputation: trainer.sameComputation };
  if (trainer.outputActivation) kind.outputActivation = trainer.outputActivation;
  if (trainer.examplesPerEpoch) kind.examplesPerEpoch = trainer.examplesPerEpoch;
  return summarizeMnist(variant, await measureMnist(trainer, epochs), f, kind);
}

/** Runs `batches` CNN batches on a variant: PyTorch timing itself in Python, or a Node trainer timed by measureCnn. */
async function runCnn(variant: VariantId, f: CnnFixture, batches: number): Promise<CnnRun> {
  if (variant === 'torch1' || variant === 'torch2') return (await import('./peers/torch.js')).torchCnnRun(torchThreads(variant), batches);
  return measureCnn((await loadPeer(variant, undefined)).cnn(f), batches, CNN_EPOCH);
}

async function main(): Promise<void> {
  const [workload, variantArg, countArg, examplesArg] = process.argv.slice(2) as [WorkloadId, string, string, string | undefined];
  if (workload === 'lstm') {
    const id = lstmVariantById(variantArg)?.id;
    if (!id) throw new Error(`usage: child.ts lstm <variant> <batches>, got ${process.argv.slice(2).join(' ')}`);
    const r = await (await import('./peers/lstm.js')).runLstmChild(id, Number(countArg));
    process.stdout.write(`\n${JSON.stringify(r)}\n`);
    return;
  }
  const variant = workload === 'cnn' ? cnnVariantById(variantArg)?.id : variantById(variantArg)?.id;
  if (!variant || (workload !== 'mnist' && workload !== 'planar' && workload !== 'cnn')) throw new Error(`usage: child.ts <mnist|planar|cnn> <variant> <count>, got ${process.argv.slice(2).join(' ')}`);
  const count = Number(countArg);
  let result: ChildResult;
  try {
    if (workload === 'cnn') {
      const f = loadCnnFixture();
      result = summarizeCnn(variant, await runCnn(variant, f, count), f);
      process.stdout.write(`\n${JSON.stringify(result)}\n`);
      return;
    }
    if (workload === 'mnist') {
      result = await runMnist(variant, loadMnistFixture(), count, examplesArg ? Number(examplesArg) : undefined);
    } else {
      if (variant === 'torch1' || variant === 'torch2') notHere(variant, 'planar');
      result = await measurePlanar(variant, (await loadPeer(variant, undefined)).planar(loadPlanarFixture()), count);
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    result = { workload, variant, ok: false, reason: message.startsWith('n/a') ? message : `failed: ${message.split('\n')[0]}` };
    if (!message.startsWith('n/a')) console.error(e);
  }
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

// Exit explicitly: worker threads (wasm GEMM, TF.js) may otherwise keep the process alive.
main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

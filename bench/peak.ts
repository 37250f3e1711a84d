/**
 * The 128-bit SIMD peak of one core, measured now, so GEMM figures can be
 * read as a fraction of what the machine gives at that moment: this 2-core
 * VM's clock was seen to vary by up to 2x within minutes.
 *
 * A loop of eight independent f32x4 add chains runs at the core's vector-add
 * throughput; the mul + add peak is twice that, on cores (like AMD Zen)
 * whose multiply and add pipes are separate and equal in number. FMA does
 * not raise it there (two FMA pipes give the same 16 flops per cycle), and
 * WebAssembly's FMA (relaxed SIMD) is off by default in Node 20 anyway.
 */
import asc from 'assemblyscript/asc';

const SOURCE = `
export function addChains(iters: i32): void {
  let c0 = v128.load(0), c1 = v128.load(16), c2 = v128.load(32), c3 = v128.load(48);
  let c4 = v128.load(64), c5 = v128.load(80), c6 = v128.load(96), c7 = v128.load(112);
  const d = v128.load(128);
  for (let i = 0; i < iters; i++) {
    c0 = f32x4.add(c0, d); c1 = f32x4.add(c1, d); c2 = f32x4.add(c2, d); c3 = f32x4.add(c3, d);
    c4 = f32x4.add(c4, d); c5 = f32x4.add(c5, d); c6 = f32x4.add(c6, d); c7 = f32x4.add(c7, d);
  }
  v128.store(0, c0); v128.store(16, c1); v128.store(32, c2); v128.store(48, c3);
  v128.store(64, c4); v128.store(80, c5); v128.store(96, c6); v128.store(112, c7);
}
`;

let addChains: ((iters: number) => void) | null = null;

async function load(): Promise<(iters: number) => void> {
  if (addChains) return addChains;
  let binary: Uint8Array | undefined;
  const { error } = await asc.main(['peak.ts', '--outFile', 'peak.wasm', '-O0', '--runtime', 'stub', '--enable', 'simd', '--noAssert', '--initialMemory', '1'], {
    readFile: (name) => (name === 'peak.ts' ? SOURCE : null),
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
    listFiles: () => [],
    stderr: { write: () => true },
  });
  if (error || !binary) throw new Error(`peak kernel did not compile: ${error?.message ?? 'no output'}`);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(binary)));
  const f32 = new Float32Array((instance.exports['memory'] as WebAssembly.Memory).buffer, 0, 36);
  f32.fill(1);
  f32.fill(1e-3, 32);
  addChains = instance.exports['addChains'] as (iters: number) => void;
  return addChains;
}

/** GFLOP/s of 128-bit mul + add on the calling thread: the best of `runs` short measurements. */
export async function measurePeak(runs = 20): Promise<number> {
  const f = await load();
  const iters = 2_000_000;
  f(iters);
  let best = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    f(iters);
    const seconds = (performance.now() - t0) / 1e3;
    // 8 vector adds of 4 lanes per iteration, and as many multiplies at peak.
    best = Math.max(best, (iters * 8 * 4 * 2) / seconds / 1e9);
  }
  return best;
}

/** The GEMM shapes, transpositions and libraries bench/gemm.ts measures. */

/** (m, k, n): C is (m, n), the inner dimension is k. */
export type Shape = readonly [number, number, number];
export type Mode = 'NN' | 'NT' | 'TN';
export type Library = 'wasm1' | 'wasm2' | 'js' | 'tfjs-cpu' | 'tfjs-wasm';

export const LIBRARIES: readonly Library[] = ['wasm1', 'wasm2', 'js', 'tfjs-cpu', 'tfjs-wasm'];

export const LIBRARY_LABELS: { readonly [L in Library]: string } = {
  wasm1: 'layerwise wasm 1T',
  wasm2: 'layerwise wasm 2T',
  js: 'layerwise js',
  'tfjs-cpu': 'tfjs cpu',
  'tfjs-wasm': 'tfjs wasm',
};

/**
 * Square sizes, then MLP layer shapes (64 or 128 units, 784 inputs, a batch
 * of 128) in the three transpositions backprop uses: W A (NN),
 * dZ A^T (NT), W^T dZ (TN).
 */
export const SHAPES: readonly Shape[] = [[64, 64, 64], [128, 128, 128], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [64, 784, 128], [128, 784, 128]];
export const QUICK_SHAPES: readonly Shape[] = [[128, 128, 128], [512, 512, 512], [64, 784, 128]];
export const MODES: readonly Mode[] = ['NN', 'NT', 'TN'];

/** One measured case, as a child reports it. */
export interface CaseResult {
  readonly shape: Shape;
  readonly mode: Mode;
  readonly gflops: number;
}

/** A child's report: the library, what it ran on, and its cases. */
export interface LibraryResult {
  readonly library: Library;
  readonly note: string;
  readonly results: readonly CaseResult[];
  /** One core's 128-bit mul + add peak (bench/peak.ts), GFLOP/s: the mean of measurements before and after the cases. */
  readonly peak?: number;
}

export function caseKey(shape: Shape, mode: Mode): string {
  return `${shape.join('x')} ${mode}`;
}

/**
 * Each library's best figures over several rounds: per case the highest
 * GFLOP/s, and the highest peak (so the efficiency columns never flatter).
 * The host slows down for minutes at a time; a round that hit a slow spell
 * must not stand for the library.
 *
 * @example
 *   bestOfRounds([[{ library: 'wasm1', note: '', results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 30 }] }],
 *                 [{ library: 'wasm1', note: '', results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 45 }] }]]);
 *   // [{ library: 'wasm1', note: '', results: [{ shape: [8, 8, 8], mode: 'NN', gflops: 45 }] }]
 */
export function bestOfRounds(rounds: readonly (readonly LibraryResult[])[]): LibraryResult[] {
  const best = new Map<Library, LibraryResult>();
  for (const round of rounds) {
    for (const r of round) {
      const prev = best.get(r.library);
      if (!prev) {
        best.set(r.library, r);
        continue;
      }
      const prevByKey = new Map(prev.results.map((c) => [caseKey(c.shape, c.mode), c]));
      const seen = new Set<string>();
      const results = r.results.map((c) => {
        const key = caseKey(c.shape, c.mode);
        seen.add(key);
        const p = prevByKey.get(key);
        return p && p.gflops >= c.gflops ? p : c;
      });
      // Cases only the earlier round has (a round that failed part-way) are kept too.
      for (const [key, c] of prevByKey) if (!seen.has(key)) results.push(c);
      const peaks = [prev.peak, r.peak].filter((x): x is number => x !== undefined);
      best.set(r.library, { ...prev, results, ...(peaks.length > 0 ? { peak: Math.max(...peaks) } : {}) });
    }
  }
  return [...best.values()];
}

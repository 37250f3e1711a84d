/**
 * The one seedable random generator behind every random number in layerwise:
 * weight init, shuffling, dropout masks, generated datasets. xoshiro128** is
 * small, fast with 32-bit integer math (no BigInt), and its state is four
 * integers, so a run can be checkpointed and resumed bit for bit.
 */
import { ValueError } from '../tensor/errors.js';
import { assertSeed, describe } from '../tensor/validate.js';

/** The complete state of an {@link Rng}, serializable as JSON. */
export interface RngState {
  s: [number, number, number, number];
  /** A second normal draw kept from the last Box-Muller pair, or null. */
  spare: number | null;
}

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seeded generator. The same seed gives the same sequence on every platform.
 *
 * @example
 * ```ts
 * import { Rng } from 'layerwise';
 * const rng = new Rng(42);
 * const u = rng.uniform();  // in [0, 1)
 * const z = rng.normal();   // standard normal
 * ```
 */
export class Rng {
  // The state lives in an Int32Array: as plain fields, values past 2^30 are
  // boxed by V8 and each draw cost ~19 ns (measured); typed, ~3 ns.
  private readonly s = new Int32Array(4);
  private spare: number | null = null;

  constructor(seed: number = 0) {
    assertSeed(seed, 'Rng');
    const sm = splitmix32(seed);
    for (let i = 0; i < 4; i++) this.s[i] = sm();
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    return xoshiroNext(this.s);
  }

  /**
   * The generator's four state words, live. Kernels that draw in bulk (the
   * dropout kernel) read and advance them exactly as the same number of
   * nextUint32() calls would, so a run is the same on every backend.
   */
  get words(): Int32Array {
    return this.s;
  }

  /** A uniform number in [0, 1) with 53 bits of precision. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform number in [0, 1) from a single 32-bit draw: cheaper, for dropout masks. */
  uniform32(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A standard normal number (Box-Muller; the pair's second value is kept for the next call). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * v;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Shuffles an array in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** Fills an array with normal numbers times `scale`. */
  fillNormal(out: { length: number; [i: number]: number }, scale = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = this.normal() * scale;
  }

  /** The generator's state, to resume it later with {@link Rng.setState}. */
  getState(): RngState {
    const s = this.s;
    return { s: [s[0]! >>> 0, s[1]! >>> 0, s[2]! >>> 0, s[3]! >>> 0], spare: this.spare };
  }

  /** Restores a state taken with {@link Rng.getState}. */
  setState(state: RngState): void {
    const where = 'Rng.setState';
    if (state === null || typeof state !== 'object' || Array.isArray(state)) {
      throw new ValueError(`${where}: state: expected { s: four uint32 values, spare: number | null }, got ${describe(state)}`);
    }
    const s: unknown = state.s;
    if (!Array.isArray(s) || s.length !== 4) {
      throw new ValueError(`${where}: state.s: expected an array of four uint32 values, got ${describe(s)}`);
    }
    s.forEach((x: unknown, i) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffffffff) {
        throw new ValueError(`${where}: state.s[${i}]: expected an integer in [0, 2^32), got ${describe(x)}`);
      }
    });
    // xoshiro maps the all-zero state to itself: uniform() would return 0
    // forever and normal() would never find its u > 0.
    if (s.every((x) => x === 0)) {
      throw new ValueError(`${where}: state.s: expected at least one non-zero word (the all-zero state never changes), got [0, 0, 0, 0]`);
    }
    const spare: unknown = state.spare;
    if (spare !== null && (typeof spare !== 'number' || !Number.isFinite(spare))) {
      throw new ValueError(`${where}: state.spare: expected a finite number or null, got ${describe(spare)}`);
    }
    this.s.set(state.s);
    this.spare = state.spare;
  }
}

/**
 * One xoshiro128** step on the state words `s`: advances them and returns
 * the next 32-bit unsigned output. The wasm dropout kernel runs the same
 * step (backend/wasm/assembly/layers.ts).
 *
 * @example
 * ```ts
 * import { xoshiroNext } from './rng.js'; // internal: not exported from 'layerwise'
 * const s = Int32Array.of(1, 2, 3, 4);
 * xoshiroNext(s) === 11520; // true: the reference implementation's first output
 * ```
 */
export function xoshiroNext(s: Int32Array): number {
  const s0 = s[0]!;
  const s1 = s[1]!;
  const s2 = s[2]! ^ s0;
  const s3 = s[3]! ^ s1;
  s[0] = s0 ^ s3;
  s[1] = s1 ^ s2;
  s[2] = s2 ^ (s1 << 9);
  s[3] = rotl(s3, 11);
  return Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
}

/** x rotated left by k bits, as an int32. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

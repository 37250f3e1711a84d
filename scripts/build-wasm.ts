/**
 * Builds the wasm backend's generated sources (run: `npm run build:wasm`).
 *
 * 1. Compiles src/backend/wasm/assembly with AssemblyScript against a shared
 *    memory (threads), and derives the variant for an unshared memory (hosts
 *    without SharedArrayBuffer) by clearing the memory import's "shared"
 *    flag. That flag is part of the module's type, so one binary cannot serve
 *    both; asc's two outputs differ in exactly that byte, and a second
 *    compile would double the build time.
 * 2. Bundles the worker program (src/backend/wasm/worker/thread-main.ts) into
 *    one script string.
 * 3. Writes both as TypeScript modules into src/backend/wasm/generated/, which
 *    tsc then compiles into dist like any other source: nothing needs copying
 *    and nothing is fetched at run time.
 *
 * Skips all work when a hash of the inputs matches the last build.
 */
import asc from 'assemblyscript/asc';
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wasmDir = join(root, 'src/backend/wasm');
const assemblyDir = join(wasmDir, 'assembly');
const outDir = join(wasmDir, 'generated');
const stampFile = join(outDir, '.inputs-hash');

/** Pages the module declares as its maximum; the memory actually created may be smaller. */
const MAX_PAGES = 65536;

async function listTs(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort().map((f) => join(dir, f));
}

async function inputsHash(): Promise<string> {
  const files = [
    ...(await listTs(assemblyDir)),
    ...(await listTs(join(wasmDir, 'worker'))),
    join(wasmDir, 'protocol.ts'),
    fileURLToPath(import.meta.url),
    join(root, 'node_modules/assemblyscript/package.json'),
  ];
  const h = createHash('sha256');
  for (const f of files) h.update(relative(root, f)).update(await readFile(f));
  return h.digest('hex');
}

async function compile(): Promise<Uint8Array> {
  let binary: Uint8Array | undefined;
  const args = [
    join(assemblyDir, 'index.ts'),
    '--outFile', 'out.wasm',
    // -O0: Binaryen's optimizer reorders the GEMM micro-kernel's loads (it
    // sinks each B vector into its first use), after which V8 runs the loop
    // at ~40 GFLOP/s instead of ~50 on Zen 5. V8's own optimizing compiler
    // does the rest: every other kernel measured the same at -O0 and -O3
    // (AssemblyScript's @inline still applies).
    '-O0', '--noAssert', '--runtime', 'stub',
    '--enable', 'simd', '--enable', 'threads',
    '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', String(MAX_PAGES),
  ];
  const stderr: string[] = [];
  const { error } = await asc.main(args, {
    writeFile(name, contents) {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
    stderr: { write: (s: string | Uint8Array) => { stderr.push(String(s)); return true; } },
  });
  if (error || !binary) throw new Error(`AssemblyScript build failed:\n${stderr.join('')}${error?.message ?? ''}`);
  return binary;
}

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
function leb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++] as number;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

/** A copy of `shared` whose imported memory is unshared: limits flag 0x03 (max, shared) becomes 0x01 (max). */
function unshare(shared: Uint8Array): Uint8Array {
  const bytes = shared.slice();
  let pos = 8; // magic + version
  while (pos < bytes.length) {
    const id = bytes[pos++] as number;
    const [size, body] = leb(bytes, pos);
    pos = body;
    if (id !== 2) {
      pos += size;
      continue;
    }
    let [count, p] = leb(bytes, pos);
    while (count-- > 0) {
      for (let name = 0; name < 2; name++) {
        const [len, q] = leb(bytes, p);
        p = q + len;
      }
      const kind = bytes[p++];
      if (kind === 2) {
        if (bytes[p] !== 0x03) throw new Error(`memory import limits flag is ${bytes[p]}, expected 0x03`);
        bytes[p] = 0x01;
        if (!WebAssembly.validate(bytes)) throw new Error('unshared module does not validate');
        return bytes;
      }
      throw new Error(`unexpected import kind ${kind} before the memory import`);
    }
  }
  throw new Error('no memory import found');
}

async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [join(wasmDir, 'worker/thread-main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    minify: false,
    legalComments: 'none',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no worker bundle');
  return file.text;
}

function generatedHeader(what: string): string {
  return `// Generated by scripts/build-wasm.ts from ${what}. Do not edit; run \`npm run build:wasm\`.\n`;
}

async function main(): Promise<void> {
  const hash = await inputsHash();
  const previous = await readFile(stampFile, 'utf8').catch(() => '');
  if (previous === hash && !process.argv.includes('--force')) return;
  const [shared, worker] = await Promise.all([compile(), bundleWorker()]);
  const unshared = unshare(shared);
  await mkdir(outDir, { recursive: true });
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
  await writeFile(
    join(outDir, 'wasm-binary.ts'),
    `${generatedHeader('src/backend/wasm/assembly')}
/** The kernels compiled against a shared memory (base64). */
export const WASM_SHARED_BASE64 =
  '${b64(shared)}';

/** The same kernels against an unshared memory (base64). */
export const WASM_UNSHARED_BASE64 =
  '${b64(unshared)}';

/** The maximum memory size, in 64 KiB pages, the modules declare. */
export const WASM_MAX_PAGES = ${MAX_PAGES};
`,
  );
  await writeFile(
    join(outDir, 'worker-code.ts'),
    `${generatedHeader('src/backend/wasm/worker/thread-main.ts')}
/** The GEMM worker's program, as one script. */
export const WORKER_CODE = ${JSON.stringify(worker)};
`,
  );
  await writeFile(stampFile, hash);
  console.log(`build:wasm: ${shared.length} + ${unshared.length} wasm bytes, worker ${worker.length} chars`);
}

await main();

/**
 * Real `layerwise` processes for the distributed search's tests: commands
 * that run to the end, and workers that run until killed, with their output
 * kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository's CLI entry, and tsx's loader by absolute URL (so a process may run in any folder). */
export const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX_DIR = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
const TSX = pathToFileURL(join(TSX_DIR, 'dist', 'loader.mjs')).href;
/** tsx's register API, for processor threads started from inside vitest (see threadExecArgv). */
export const TSX_API = pathToFileURL(join(TSX_DIR, 'dist', 'esm', 'api', 'index.mjs')).href;

/** The environment of the spawned commands: no CI variables leak in, and the wasm backend as everywhere. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...extra };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds the process ran. */
  ms: number;
}

/** A running `layerwise` process. */
export interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stdout + stderr (waiting for it), rejects after timeoutMs. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the process has exited. */
  readonly done: Promise<Finished>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts `layerwise <args>` in `cwd` (default: the repository). */
export function start(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Running {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: options.cwd ?? process.cwd(), env: env(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    notify();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    notify();
  });
  const limit = options.timeoutMs ?? 90_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), limit);
  const done = new Promise<Finished>((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setTimeout(() => {
        notify();
        resolve({ code, signal, stdout: out, stderr: err, ms: performance.now() - started });
      }, 20);
    });
  });
  let exited = false;
  void done.then(() => {
    exited = true;
    notify();
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    waitFor: (re, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = (out + err).match(re);
          if (m) {
            cleanup();
            resolve(m);
          } else if (exited) {
            cleanup();
            reject(new Error(`the process exited without printing ${re}:\n${out}\n${err}`));
          }
        };
        const t = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${re} within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(t);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Runs `layerwise <args>` to the end. */
export function run(args: string[], options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Finished> {
  return start(args, options).done;
}

/** The JSON object a `--json` command prints as its last line. */
export function lastJson<T = Record<string, unknown>>(f: Finished): T {
  const line = f.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`no JSON line (exit ${f.code}):\nstdout: ${f.stdout}\nstderr: ${f.stderr}`);
  }
}

/** A worker process: `layerwise worker --queue url ...`, ready once it says it waits for trials. */
export async function startWorker(url: string, name: string, options: { cwd?: string; concurrency?: number; lockDurationMs?: number } = {}): Promise<Running> {
  const w = start(['worker', '--queue', url, '--name', name, '--concurrency', String(options.concurrency ?? 1), '--lock-duration', String(options.lockDurationMs ?? 3000)], { ...(options.cwd ? { cwd: options.cwd } : {}), timeoutMs: 600_000 });
  await w.waitFor(/waiting for trials/, 60_000);
  return w;
}

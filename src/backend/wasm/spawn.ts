/**
 * Starting the kernel worker in whichever host we are in. Node gets a
 * `worker_threads` Worker running the bundled code with `eval: true` (via a
 * dynamic import, so the core has no static Node-only import); a browser
 * worker gets a Blob-URL Worker. A browser's main thread gets none: it may
 * not block in Atomics.wait, which joining a shared task needs.
 */
import type { WorkerMessage, WorkerStart } from './protocol.js';

/** A started worker, whichever host made it. */
export interface WorkerHandle {
  /** Stops the worker; resolves once it has exited. */
  terminate(): Promise<void>;
}

/** What the host reports about the worker. */
export interface WorkerEvents {
  message(message: WorkerMessage): void;
  /** The worker is gone (an uncaught error or an exit); it will not run another task. */
  exit(reason: string): void;
}

interface NodeWorker {
  on(event: 'message', listener: (message: WorkerMessage) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface NodeWorkerThreads {
  Worker: new (code: string, options: { eval: true; workerData: WorkerStart }) => NodeWorker;
}

interface BrowserWorker {
  onmessage: ((event: { data: WorkerMessage }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  postMessage(message: WorkerStart): void;
  terminate(): void;
}

interface BrowserGlobals {
  Worker?: new (url: string) => BrowserWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  crossOriginIsolated?: boolean;
  document?: unknown;
  process?: { versions?: { node?: string } };
}

const host = globalThis as BrowserGlobals;

/** Why this host cannot run the worker, or null when it can. */
export function threadsUnavailableReason(): string | null {
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is unavailable (a browser needs cross-origin isolation)';
  if (host.process?.versions?.node) return null;
  if (host.document !== undefined) return "a browser's main thread may not block in Atomics.wait";
  if (host.crossOriginIsolated !== true) return 'the page is not cross-origin isolated';
  if (!host.Worker || !host.Blob || !host.URL) return 'this host has no Worker';
  return null;
}

async function spawnNode(code: string, start: WorkerStart, events: WorkerEvents): Promise<WorkerHandle> {
  // A variable specifier keeps browser bundlers from trying to resolve a Node built-in.
  const specifier = 'node:worker_threads';
  const threads = (await import(/* @vite-ignore */ specifier)) as NodeWorkerThreads;
  const worker = new threads.Worker(code, { eval: true, workerData: start });
  worker.on('message', (m) => {
    // Once it listens, the worker must never keep the process alive: it only
    // serves kernel calls. (Until then it must, or an `await` of its start
    // would find an empty event loop and the process would quit.)
    if (m.kind === 'ready') worker.unref();
    events.message(m);
  });
  worker.on('error', (e) => events.exit(`the wasm kernel worker failed: ${e.message}`));
  worker.on('exit', (code) => events.exit(`the wasm kernel worker exited (code ${code})`));
  return {
    terminate: async () => {
      await worker.terminate();
    },
  };
}

function spawnBrowser(code: string, start: WorkerStart, events: WorkerEvents): WorkerHandle {
  const { Worker, Blob, URL } = host as Required<BrowserGlobals>;
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const worker = new Worker(url);
  worker.onmessage = (event) => events.message(event.data);
  worker.onerror = (event) => events.exit(`the wasm kernel worker failed: ${event.message ?? 'unknown error'}`);
  worker.postMessage(start);
  return {
    terminate: async () => {
      worker.terminate();
      URL.revokeObjectURL(url);
      events.exit('the wasm kernel worker was terminated');
    },
  };
}

/** Starts a worker running `code` with `start`; call only when threadsUnavailableReason() is null. */
export async function spawnWorker(code: string, start: WorkerStart, events: WorkerEvents): Promise<WorkerHandle> {
  return host.process?.versions?.node ? spawnNode(code, start, events) : spawnBrowser(code, start, events);
}

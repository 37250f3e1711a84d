/**
 * The `--out` folder of `layerwise train` and `layerwise search`. Before any
 * data is loaded it is checked (a path that can become a folder, and one this
 * process can write into), locked against a second process, and refused when
 * it holds files layerwise did not write. Each run records what it writes in
 * `layerwise-run.json`; layerwise replaces and removes only what that list
 * names, so a user's files in the folder are never touched.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, rmdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isRunning, kindOf, writeFileAtomic } from '../node/files.js';
import { CliError } from './errors.js';

/** The list of what the folder's runs wrote, and the id of the latest run. */
export const RUN_FILE = 'layerwise-run.json';

/** The lock a running `layerwise train` or `search` holds on its folder. */
export const LOCK_FILE = '.layerwise.lock';

/** What `layerwise train` writes: folders end in '/'. */
export function trainOutputs(checkpointEvery: number | undefined): string[] {
  return ['model/', 'history.csv', 'report.html', ...(checkpointEvery !== undefined ? ['checkpoint/'] : [])];
}

/** What `layerwise search` writes. */
export const SEARCH_OUTPUTS: readonly string[] = ['trials.csv', 'best.json'];

/** layerwise-run.json. */
interface RunFile {
  format: 'layerwise-run';
  version: 1;
  /** The latest run that took the folder (a resumed run keeps its id). */
  runId: string;
  command: string;
  startedAt: string;
  /** Everything layerwise wrote here, relative to the folder; a folder (ending in '/') is layerwise's with what it holds. */
  files: string[];
}

/** Who holds the lock: the lock file's content. */
interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
  token: string;
}

/** What {@link openRunFolder} needs besides the path. */
export interface RunFolderOptions {
  command: 'train' | 'search';
  /** The command's parsed options: `--force` is read from them. */
  flags: object;
  /** What the run writes (see {@link trainOutputs}). */
  outputs: readonly string[];
  /** The id of the run `--resume` continues; a new run gets a new id. */
  runId?: string | undefined;
  /** Where notes go (a stale lock taken over). */
  say: (line: string) => void;
}

/** The folders this process has open, by absolute path. */
const open = new Map<string, RunFolder>();

/** The open run folder at `dir` (an absolute or relative path), if this process holds one. */
export function runFolderOf(dir: string): RunFolder | undefined {
  return open.get(resolve(dir));
}

/** The signals that end a run: its lock is released first. */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * A locked `--out` folder. The lock is released by {@link RunFolder.release},
 * when the process exits (errors included), and on SIGINT or SIGTERM until
 * {@link RunFolder.beginCompute}.
 */
export class RunFolder {
  private released = false;
  private readonly onExit = () => this.release();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    // Another handler (search's Ctrl-C) stops the work and exits normally; 'exit' then releases.
    if (process.listenerCount(signal) > 1) return;
    this.release();
    process.kill(process.pid, signal); // no listener is left: the signal's default action ends the process
  };

  constructor(
    /** The folder's absolute path. */
    readonly dir: string,
    /** The run's id, written into its model and checkpoints. */
    readonly runId: string,
    private readonly owned: Set<string>,
    private readonly outputs: readonly string[],
    private readonly token: string,
    /** The topmost folder this run created to hold the lock, or null. */
    private readonly created: string | null,
    private readonly command: string,
  ) {
    open.set(dir, this);
    process.on('exit', this.onExit);
    for (const s of SIGNALS) process.on(s, this.onSignal);
  }

  /** Whether layerwise wrote `path` (relative to the folder; a folder ends in '/'), or a folder that holds it. */
  owns(path: string): boolean {
    for (let p = path; p !== ''; p = p.replace(/[^/]*\/?$/, '')) if (this.owned.has(p)) return true;
    return false;
  }

  /** Whether this run writes `path` (one of its outputs). */
  writes(path: string): boolean {
    return this.outputs.includes(path);
  }

  /** Drops `path` from the list once its files are removed. */
  forget(path: string): void {
    if (this.owned.delete(path)) writeRunFile(this.dir, this.runFile());
  }

  /**
   * From here on SIGINT and SIGTERM end the process at once, as by default: a
   * JavaScript handler would run only after synchronous training has finished.
   * A run killed then leaves its lock, which the next run on this host takes
   * over (its process is gone).
   */
  beginCompute(): void {
    for (const s of SIGNALS) process.off(s, this.onSignal);
  }

  /** Unlocks the folder; a run that wrote nothing into a folder it created removes the folder. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.beginCompute();
    process.off('exit', this.onExit);
    open.delete(this.dir);
    unlock(this.dir, this.token);
    if (this.created === null) return;
    try {
      if (readdirSync(this.dir).some((f) => f !== RUN_FILE)) return;
      rmSync(join(this.dir, RUN_FILE), { force: true });
    } catch {
      return;
    }
    removeCreated(this.dir, this.created);
  }

  private runFile(): RunFile {
    return { format: 'layerwise-run', version: 1, runId: this.runId, command: this.command, startedAt: this.startedAt, files: [...this.owned].sort() };
  }

  private readonly startedAt = new Date().toISOString();

  /** Writes layerwise-run.json (before the run writes anything, so the list names every file it may leave). */
  record(): void {
    writeRunFile(this.dir, this.runFile());
  }
}

/**
 * Checks, creates and locks `--out` for a run, before any data is loaded:
 * refuses a path that cannot become a folder or be written, a folder another
 * process holds, a non-empty folder that is not a layerwise run (unless
 * `--force`), and files the run would replace that layerwise did not write
 * (even with `--force`).
 */
export function openRunFolder(out: string, options: RunFolderOptions): RunFolder {
  const dir = resolve(out);
  const command = `layerwise ${options.command}`;
  const created = makeFolder(out, dir);
  let token: string;
  try {
    token = takeLock(out, dir, command, options.say);
  } catch (e) {
    removeCreated(dir, created);
    throw e;
  }
  const fail = (message: string): never => {
    unlock(dir, token);
    removeCreated(dir, created);
    throw new CliError(message);
  };
  const previous = readRunFile(dir);
  const owned = new Set(previous ? previous.files.filter((f) => existsSync(join(dir, f))) : recognizedRun(dir));
  const isRun = previous !== null || owned.size > 0;
  const has = (entry: string) => owned.has(entry) || owned.has(`${entry}/`) || [...owned].some((f) => f.startsWith(`${entry}/`));
  const foreign = readdirSync(dir).filter((f) => f !== LOCK_FILE && !(f === RUN_FILE && previous) && !has(f)).sort();
  const force = (options.flags as { force?: unknown }).force === true;
  if (!isRun && foreign.length > 0 && !force) {
    fail(
      `--out: ${out}: the folder holds files layerwise did not write (${listed(foreign)}) and is not a layerwise run; choose a new or empty folder, or pass --force to write next to them (layerwise never replaces or removes files it did not write)`,
    );
  }
  const conflicts = [...options.outputs, RUN_FILE].filter((f) => (f !== RUN_FILE || !previous) && !owned.has(f) && taken(join(dir, f), f.endsWith('/')));
  if (conflicts.length > 0) {
    const they = conflicts.length === 1 ? 'it' : 'them';
    fail(`--out: ${out}: ${listed(conflicts)} ${conflicts.length === 1 ? 'was' : 'were'} not written by layerwise, and this run would replace ${they}; move ${they} or choose another --out${force ? ' (--force never replaces files layerwise did not write)' : ''}`);
  }
  for (const f of options.outputs) owned.add(f);
  const run = new RunFolder(dir, options.runId ?? newRunId(), owned, options.outputs, token, created, command);
  try {
    run.record();
  } catch (e) {
    run.release();
    throw e;
  }
  return run;
}

/** Checks `--out` and creates it (and missing folders above it); returns the topmost folder created, or null. */
function makeFolder(out: string, dir: string): string | null {
  if (existsSync(dir)) {
    const stats = statSync(dir);
    if (!stats.isDirectory()) throw new CliError(`--out: ${out}: expected a folder (or a path to create one), got ${stats.isFile() ? 'an existing file' : kindOf(stats)}`);
    return null;
  }
  let above = dirname(dir);
  while (!existsSync(above)) above = dirname(above);
  if (!statSync(above).isDirectory()) throw new CliError(`--out: ${out}: cannot create the folder, since ${above} is a file`);
  try {
    return mkdirSync(dir, { recursive: true }) ?? null;
  } catch (e) {
    throw new CliError(`--out: ${out}: cannot create the folder: ${fsReason(e)}; choose a folder you can write to`);
  }
}

/** Removes the lock file if it is still this run's. */
function unlock(dir: string, token: string): void {
  const lock = join(dir, LOCK_FILE);
  if (readLock(lock).holder?.token === token) rmSync(lock, { force: true });
}

/** Removes the empty folders from `dir` up to `created`, the topmost one this run made. */
function removeCreated(dir: string, created: string | null): void {
  if (created === null) return;
  try {
    for (let d = dir; ; d = dirname(d)) {
      rmdirSync(d);
      if (d === created) break;
    }
  } catch {
    // not empty: it stays
  }
}

/** 'permission denied (EACCES)' for a file-system error; the message otherwise. */
function fsReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error)) return String(e);
  if (typeof err.code !== 'string') return e.message;
  return `${e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '')} (${err.code})`;
}

/**
 * Creates the lock file with O_EXCL (one process wins), holding this process's
 * pid, host and start time. A lock whose process no longer runs on this host
 * is taken over with a note; a live one is refused, naming its process.
 */
function takeLock(out: string, dir: string, command: string, say: (line: string) => void): string {
  const path = join(dir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command, token: randomBytes(8).toString('hex') };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new CliError(`--out: ${out}: cannot write in the folder: ${fsReason(e)}; choose a folder you can write to`);
      const { holder, text, ageMs } = readLock(path);
      const stale = holder ? holder.host === mine.host && (holder.pid === process.pid ? !runFolderOf(dir) : !isRunning(holder.pid)) : ageMs > 10_000;
      if (!stale) throw new CliError(inUse(out, path, holder));
      // Remove it only if it is still the stale lock just read (another process may have taken it over meanwhile).
      if (readLock(path).text === text) rmSync(path, { force: true });
      say(holder ? `note: --out: took over the lock of \`${holder.command}\` (pid ${holder.pid}, started ${holder.startedAt}), which is no longer running` : `note: --out: removed an unreadable lock file ${path}`);
      continue;
    }
    try {
      const bytes = new TextEncoder().encode(JSON.stringify(mine) + '\n');
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return mine.token;
  }
  throw new CliError(`--out: ${out}: could not take the lock ${path}: other processes keep taking it; try again`);
}

function inUse(out: string, path: string, h: LockHolder | null): string {
  if (!h) return `--out: ${out}: in use: another process is taking its lock (${path}) right now; try again in a moment`;
  const where = h.host === hostname() ? 'on this host' : `on host ${h.host}`;
  return `--out: ${out}: in use by another layerwise process: \`${h.command}\` (pid ${h.pid} ${where}, started ${h.startedAt}); wait for it to finish or choose another --out (if that process has ended, delete ${path})`;
}

/** The lock file's holder (null when it is unreadable or gone), its text and its age. */
function readLock(path: string): { holder: LockHolder | null; text: string | null; ageMs: number } {
  const text = readHead(path, 4096);
  let ageMs = 0;
  try {
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch {
    // gone
  }
  let holder: LockHolder | null = null;
  try {
    const v = JSON.parse(text ?? '') as Partial<LockHolder>;
    if (Number.isSafeInteger(v.pid) && typeof v.host === 'string' && typeof v.token === 'string') {
      holder = { pid: v.pid!, host: v.host, token: v.token, startedAt: String(v.startedAt), command: String(v.command ?? 'layerwise') };
    }
  } catch {
    // unreadable
  }
  return { holder, text, ageMs };
}

/** The first `max` bytes of a regular file as text; null for anything else (a FIFO is never waited on). */
function readHead(path: string, max: number): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch {
    return null;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return null;
    const bytes = new Uint8Array(Math.min(max, stats.size));
    let n = 0;
    for (let k = 1; n < bytes.length && k > 0; n += k) k = readSync(fd, bytes, n, bytes.length - n, n);
    return new TextDecoder().decode(bytes.subarray(0, n));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function readRunFile(dir: string): RunFile | null {
  try {
    const v = JSON.parse(readHead(join(dir, RUN_FILE), 16 * 2 ** 20) ?? '') as Partial<RunFile>;
    if (v.format !== 'layerwise-run' || !Array.isArray(v.files) || !v.files.every(isRelativePath)) return null;
    return v as RunFile;
  } catch {
    return null;
  }
}

// A list entry is a plain relative path inside the folder: an edited list cannot point outside it.
function isRelativePath(f: unknown): f is string {
  return typeof f === 'string' && f !== '' && !f.startsWith('/') && !f.split('/').some((part) => part === '..' || part === '.');
}

function writeRunFile(dir: string, run: RunFile): void {
  writeFileAtomic(join(dir, RUN_FILE), JSON.stringify(run, null, 2) + '\n');
}

/**
 * What a folder written by a layerwise without layerwise-run.json holds that
 * layerwise wrote, recognized by content: a model manifest, a checkpoint
 * pointer, history.csv's header, the report's title, trials.csv and best.json.
 */
function recognizedRun(dir: string): string[] {
  const head = (f: string) => readHead(join(dir, f), 4096) ?? '';
  const json = (f: string): Record<string, unknown> | null => {
    try {
      const v: unknown = JSON.parse(readHead(join(dir, f), 2 ** 20) ?? '');
      return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  const found: string[] = [];
  if (/^\{\s*"format":\s*"layerwise-model"/.test(head('model/model.json'))) found.push('model/');
  if (/^epoch-\d+$/.test(String(json('checkpoint/latest.json')?.checkpoint))) found.push('checkpoint/');
  if (head('history.csv').startsWith('epoch,train_cost,')) found.push('history.csv');
  if (head('report.html').includes('<title>layerwise report')) found.push('report.html');
  if (/^trial,.*,dev_score,seconds\n/.test(head('trials.csv'))) found.push('trials.csv');
  const best = json('best.json');
  if (best && 'score' in best && 'trial' in best && 'config' in best) found.push('best.json');
  return found;
}

/** Whether an output path is already taken: a file, or a folder that is not empty. */
function taken(path: string, folder: boolean): boolean {
  if (!existsSync(path)) return false;
  return !folder || !statSync(path).isDirectory() || readdirSync(path).length > 0;
}

function listed(names: readonly string[]): string {
  return names.length <= 6 ? names.join(', ') : `${names.slice(0, 6).join(', ')} and ${names.length - 6} more`;
}

/** A run id: when it started and 6 random hex digits, e.g. 20250101T120000Z-1a2b3c. */
function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

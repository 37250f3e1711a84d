/** Where and with what the bench ran, for results.json and RESULTS.md. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';

export interface RunMeta {
  date: string;
  command: string;
  quick: boolean;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  versions: Record<string, string>;
  loadAverageStart: number[];
  loadAverageEnd: number[];
  /** Cores' worth of CPU that processes other than the bench used while it ran (Linux only; null elsewhere). */
  otherProcessesCores: number | null;
  totalSeconds: number;
  /** Rounds of the whole sequence; each variant's best round is reported. */
  rounds: number;
}

/** Busy CPU ticks of the whole machine and of this process with its reaped children (Linux /proc). */
export interface CpuSnapshot {
  machineBusy: number;
  ours: number;
  at: number;
}

export function cpuSnapshot(): CpuSnapshot | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
    const machineBusy = cpu.reduce((s, v, i) => (i === 3 || i === 4 ? s : s + v), 0);
    // Fields after the command name (which may hold spaces): utime is the 14th field overall.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    const ours = f[11]! + f[12]! + f[13]! + f[14]!; // utime stime cutime cstime
    return { machineBusy, ours, at: performance.now() };
  } catch {
    return null;
  }
}

/** Average cores used by other processes between two snapshots (clock ticks are 1/100 s on Linux). */
export function otherCores(a: CpuSnapshot | null, b: CpuSnapshot | null): number | null {
  if (!a || !b) return null;
  const seconds = (b.at - a.at) / 1000;
  return Math.max(0, (b.machineBusy - a.machineBusy - (b.ours - a.ours)) / 100 / seconds);
}

function installedVersion(root: string, pkg: string): string {
  try {
    const require = createRequire(join(root, 'package.json'));
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

export function collectMeta(root: string, quick: boolean): RunMeta {
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  return {
    date: new Date().toISOString(),
    command: `npm run bench${quick ? ' -- --quick' : ''}`,
    quick,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    versions: {
      [own.name]: own.version,
      '@tensorflow/tfjs': installedVersion(root, '@tensorflow/tfjs'),
      '@tensorflow/tfjs-backend-wasm': installedVersion(root, '@tensorflow/tfjs-backend-wasm'),
      'brain.js': installedVersion(root, 'brain.js'),
    },
    loadAverageStart: os.loadavg(),
    loadAverageEnd: [],
    otherProcessesCores: null,
    totalSeconds: 0,
    rounds: 1,
  };
}

/** A sentence for RESULTS.md when other work shared the cores during the run. */
export function sharedMachineNote(meta: RunMeta): string | null {
  const others = meta.otherProcessesCores;
  if (others !== null && others < 0.1) return null;
  const used = others === null ? 'unknown' : `${others.toFixed(2)} of ${meta.cores} cores on average`;
  return `Measured on a shared machine: other processes used ${used} while the bench ran (1-minute load average ${meta.loadAverageStart[0]?.toFixed(2)} at the start), so figures may be low and noisy.`;
}

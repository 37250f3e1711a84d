/** Runs a bench script in a fresh Node process and returns what it printed. */
import { spawn } from 'node:child_process';

export interface ChildOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  seconds: number;
}

/** `node [nodeArgs] --import tsx script [args]`, killed after `timeoutMs`. */
export function runScript(script: string, args: readonly string[], timeoutMs: number, nodeArgs: readonly string[] = []): Promise<ChildOutput> {
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut, seconds: (performance.now() - start) / 1000 });
    });
  });
}

/** The last non-empty line of a child's stdout parsed as JSON, or null. */
export function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split('\n');
  const last = lines[lines.length - 1]?.trim();
  if (!last?.startsWith('{')) return null;
  try {
    return JSON.parse(last) as unknown;
  } catch {
    return null;
  }
}

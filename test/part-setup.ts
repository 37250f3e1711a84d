/**
 * What the globalSetup files of the suites that need a real external part (test/setup-browser.ts,
 * test/setup-redis.ts) share: finding an executable, whether the part is required, and the folder
 * where skipped suites record themselves for the run's one line. Nothing from vitest at run time:
 * globalSetup runs outside the workers.
 */
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/** Whether `path` is an executable file. */
export function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Whether a missing part fails the run: `CI` set (to anything but "", "0" or "false") or `variable`=1. */
export function partRequired(env: NodeJS.ProcessEnv, variable: string): boolean {
  const ci = env.CI;
  return (ci !== undefined && !['', '0', 'false'].includes(ci.toLowerCase())) || env[variable] === '1';
}

/**
 * A globalSetup body: provides `key`, a folder where skipped suites record themselves, and returns
 * the teardown that prints `skipLine` of them (one line for the whole run) and removes the folder.
 */
export function collectSkips(project: TestProject, key: 'browserSkips' | 'redisSkips', skipLine: (suites: readonly string[]) => string): () => void {
  const dir = mkdtempSync(join(tmpdir(), `layerwise-${key}-`));
  project.provide(key, dir);
  return () => {
    const skipped = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .sort();
    rmSync(dir, { recursive: true, force: true });
    if (skipped.length > 0) console.log(`\n${skipLine(skipped)}\n`);
  };
}

/**
 * Where the browser suites find Chromium and what happens without it, and the
 * vitest globalSetup that prints one line for a whole run whose browser
 * suites were skipped (see test/browser.ts, which the suites use). This file
 * imports nothing from vitest at run time: globalSetup runs outside the workers.
 */
import type { TestProject } from 'vitest/node';
import { collectSkips, isExecutableFile, partRequired } from './part-setup.js';

/** Where the browser suites look for Chromium: `$LAYERWISE_CHROMIUM`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM = process.env.LAYERWISE_CHROMIUM || '/usr/bin/chromium';

/** Whether `path` is an executable file. */
export function hasBrowser(path = CHROMIUM): boolean {
  return isExecutableFile(path);
}

/** Whether a missing browser fails the run: `CI` set (to anything but "", "0" or "false") or `LAYERWISE_REQUIRE_BROWSER=1`. */
export function browserRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return partRequired(env, 'LAYERWISE_REQUIRE_BROWSER');
}

/** How to get the browser suites to run, said in the skip line and in the failure. */
export const HOW_TO_ENABLE = 'install it with `apt-get install chromium` (.ci/run does) or point LAYERWISE_CHROMIUM at a Chromium binary';

/** The one line printed for a run whose browser suites were skipped. */
export function skipLine(suites: readonly string[], path = CHROMIUM): string {
  return (
    `[browser] skipped ${suites.length} browser suite${suites.length === 1 ? '' : 's'} (${suites.join(', ')}): no Chromium at ${path}; ` +
    `to run them, ${HOW_TO_ENABLE}; CI=true or LAYERWISE_REQUIRE_BROWSER=1 makes a missing browser fail`
  );
}

/** globalSetup: a folder where skipped suites record themselves, read after the run for the one line. */
export default function setup(project: TestProject): () => void {
  return collectSkips(project, 'browserSkips', (suites) => skipLine(suites));
}

/**
 * The browser suites (the playground's and report.html's) drive Debian's
 * Chromium through playwright-core. On a machine without it they are skipped,
 * and test/setup-browser.ts prints one line for the whole run naming them;
 * where a browser is required (`CI` set, or `LAYERWISE_REQUIRE_BROWSER=1`) a
 * missing one fails instead, so CI cannot pass without running them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { browserRequired, CHROMIUM, hasBrowser, HOW_TO_ENABLE, skipLine } from './setup-browser.js';

export { browserRequired, CHROMIUM, hasBrowser, skipLine };

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder where each skipped browser suite leaves its file name, for the one line test/setup-browser.ts prints. */
    browserSkips: string;
  }
}

/** Records a skipped suite for the run's one line (or says it at once in a run without setup-browser.ts to collect it). */
function recordSkip(file: string): void {
  let dir: string | undefined;
  try {
    dir = inject('browserSkips');
  } catch {
    dir = undefined;
  }
  if (dir === undefined) {
    console.warn(skipLine([file]));
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, encodeURIComponent(file)), file);
}

/**
 * `describe` for a suite that needs Chromium: run when the browser is there;
 * skipped (and recorded for the run's one line) when it is not; one failing
 * test saying why when a browser is required ({@link browserRequired}).
 */
export function describeBrowser(name: string, body: () => void): void {
  if (hasBrowser()) {
    describe(name, body);
    return;
  }
  const filepath = expect.getState().testPath;
  const file = filepath ? relative(process.cwd(), filepath) : name;
  if (browserRequired()) {
    const why = process.env.LAYERWISE_REQUIRE_BROWSER === '1' ? 'LAYERWISE_REQUIRE_BROWSER=1' : `CI=${process.env.CI}`;
    describe(name, () => {
      it('finds Chromium', () => {
        throw new Error(`${file}: no Chromium at ${CHROMIUM}, and ${why} requires the browser suites: ${HOW_TO_ENABLE}`);
      });
    });
    return;
  }
  recordSkip(file);
  describe.skip(name, body);
}

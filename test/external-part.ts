/**
 * Suites that need a real external part (Debian's Chromium, Debian's redis-server): run when the
 * part is there; skipped when it is not, each skip recorded so the run's setup file prints one line
 * naming the skipped suites and how to enable them; and, where the part is required (`CI` set, or
 * the part's LAYERWISE_REQUIRE_* variable is 1), one failing test saying why, so CI cannot pass
 * without running them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folders where each skipped suite leaves its file name, for the one line the setup files print. */
    browserSkips: string;
    redisSkips: string;
  }
}

/** What a suite needs and how the run reports its absence. */
export interface ExternalPart {
  /** The provided folder that collects this part's skips. */
  readonly skips: 'browserSkips' | 'redisSkips';
  /** The variable that requires the part, e.g. LAYERWISE_REQUIRE_BROWSER. */
  readonly requireVariable: string;
  /** The failing test's name where the part is required but absent, e.g. 'finds Chromium'. */
  readonly testName: string;
  /** What is missing, e.g. `no Chromium at /usr/bin/chromium`. */
  readonly missing: () => string;
  /** Which suites require it, e.g. 'the browser suites'. */
  readonly suites: string;
  readonly present: () => boolean;
  readonly required: () => boolean;
  readonly skipLine: (files: readonly string[]) => string;
  readonly howToEnable: string;
}

function recordSkip(part: ExternalPart, file: string): void {
  let dir: string | undefined;
  try {
    dir = inject(part.skips);
  } catch {
    dir = undefined;
  }
  if (dir === undefined) {
    // A run without the setup file to collect it: say it at once.
    console.warn(part.skipLine([file]));
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, encodeURIComponent(file)), file);
}

/** `describe` for a suite that needs `part` (see the module's comment). */
export function describeWithPart(part: ExternalPart, name: string, body: () => void): void {
  if (part.present()) {
    describe(name, body);
    return;
  }
  const filepath = expect.getState().testPath;
  const file = filepath ? relative(process.cwd(), filepath) : name;
  if (part.required()) {
    const why = process.env[part.requireVariable] === '1' ? `${part.requireVariable}=1` : `CI=${process.env.CI}`;
    describe(name, () => {
      it(part.testName, () => {
        throw new Error(`${file}: ${part.missing()}, and ${why} requires ${part.suites}: ${part.howToEnable}`);
      });
    });
    return;
  }
  recordSkip(part, file);
  describe.skip(name, body);
}

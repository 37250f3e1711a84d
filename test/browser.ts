/**
 * The browser suites (the playground's and report.html's) drive Debian's
 * Chromium through playwright-core. On a machine without it they are skipped,
 * and test/setup-browser.ts prints one line for the whole run naming them;
 * where a browser is required (`CI` set, or `LAYERWISE_REQUIRE_BROWSER=1`) a
 * missing one fails instead, so CI cannot pass without running them.
 */
import { describeWithPart, type ExternalPart } from './external-part.js';
import { browserRequired, CHROMIUM, hasBrowser, HOW_TO_ENABLE, skipLine } from './setup-browser.js';

export { browserRequired, CHROMIUM, hasBrowser, skipLine };

const CHROMIUM_PART: ExternalPart = {
  skips: 'browserSkips',
  requireVariable: 'LAYERWISE_REQUIRE_BROWSER',
  testName: 'finds Chromium',
  missing: () => `no Chromium at ${CHROMIUM}`,
  suites: 'the browser suites',
  present: hasBrowser,
  required: browserRequired,
  skipLine,
  howToEnable: HOW_TO_ENABLE,
};

/** `describe` for a suite that needs Chromium (see the module's comment). */
export function describeBrowser(name: string, body: () => void): void {
  describeWithPart(CHROMIUM_PART, name, body);
}

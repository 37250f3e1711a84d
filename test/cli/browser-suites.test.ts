/**
 * Without a browser the browser suites are skipped with one line for the
 * whole run (a fresh clone's `npm test` passes), and where a browser is
 * required (CI) they fail instead. The missing browser is simulated with
 * LAYERWISE_CHROMIUM=/nonexistent in a child vitest run of the two suites.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { browserRequired } from '../browser.js';

const SUITES = ['test/cli/report.browser.test.ts', 'test/playground/playground.e2e.test.ts'];

/** `vitest run` of the browser suites with `env` on top of this process's environment (less CI and LAYERWISE_REQUIRE_BROWSER). */
function vitest(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  delete base.CI;
  delete base.LAYERWISE_REQUIRE_BROWSER;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...SUITES], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vitest run ${SUITES.join(' ')} timed out\n${out}`));
    }, 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('browser suites without a browser', () => {
  it('are skipped, with one line for the whole run naming them and how to enable them', async () => {
    const r = await vitest({ LAYERWISE_CHROMIUM: '/nonexistent/chromium' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Test Files\s+2 skipped \(2\)/);
    const lines = r.out.split('\n').filter((l) => l.includes('[browser]'));
    expect(lines).toHaveLength(1);
    for (const suite of SUITES) expect(lines[0]).toContain(suite);
    expect(lines[0]).toContain('no Chromium at /nonexistent/chromium');
    expect(lines[0]).toContain('apt-get install chromium');
  }, 120_000);

  it('fail under CI=true and LAYERWISE_REQUIRE_BROWSER=1, each suite saying why', async () => {
    for (const env of [{ CI: 'true' }, { LAYERWISE_REQUIRE_BROWSER: '1' }] as Record<string, string>[]) {
      const r = await vitest({ LAYERWISE_CHROMIUM: '/nonexistent/chromium', ...env });
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(/Test Files\s+2 failed \(2\)/);
      const [name, value] = Object.entries(env)[0]!;
      for (const suite of SUITES) expect(r.out).toContain(`${suite}: no Chromium at /nonexistent/chromium, and ${name}=${value} requires the browser suites`);
      expect(r.out).not.toContain('[browser] skipped');
    }
  }, 180_000);

  it('a browser is required when CI is set (not "", "0" or "false") or LAYERWISE_REQUIRE_BROWSER=1', () => {
    expect(browserRequired({})).toBe(false);
    expect(browserRequired({ CI: 'true' })).toBe(true);
    expect(browserRequired({ CI: '1' })).toBe(true);
    expect(browserRequired({ CI: 'false' })).toBe(false);
    expect(browserRequired({ CI: '' })).toBe(false);
    expect(browserRequired({ LAYERWISE_REQUIRE_BROWSER: '1' })).toBe(true);
    expect(browserRequired({ LAYERWISE_REQUIRE_BROWSER: '0' })).toBe(false);
  });
});

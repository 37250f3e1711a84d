/**
 * The CNN's architecture, editable block by block (conv: filters, kernel
 * size, stride, padding; pool: max or average, size; dense: units), with
 * each layer's output shape and parameter count as the library built it
 * (`net.stack[i].outputShape`, its parameters), the flatten the library
 * inserts, the softmax output and the total. An architecture the library
 * refuses shows its reason here; the last good network keeps training.
 */
import { button, el, select } from '../ui/dom.js';
import type { ImageInfo } from './protocol.js';
import { IMAGE_LIMITS, type Block } from './spec.js';

const FILTERS = [1, 2, 4, 6, 8, 12, 16, 24, 32];
const SIZES = [1, 2, 3, 4, 5, 6, 7];
const STRIDES = [1, 2, 3];
const UNITS = [4, 8, 16, 32, 64, 128];
const nums = (list: readonly number[]) => list.map((v) => ({ value: v, label: String(v) }));

function describe(b: Block): string {
  switch (b.kind) {
    case 'conv':
      return 'conv2d + ReLU';
    case 'pool':
      return 'pooling';
    case 'dense':
      return 'dense + ReLU';
  }
}

export class ArchEditor {
  readonly root: HTMLElement;
  private readonly rows: HTMLElement;
  private readonly error: HTMLElement;
  private readonly total: HTMLElement;
  private blocks: Block[] = [];
  private info: ImageInfo | null = null;
  private readonly addConv: HTMLButtonElement;
  private readonly addPool: HTMLButtonElement;
  private readonly addDense: HTMLButtonElement;

  constructor(private readonly onChange: (blocks: Block[]) => void) {
    this.rows = el('div', { class: 'arch-rows', id: 'arch-rows', role: 'list' });
    this.error = el('p', { class: 'warn', id: 'arch-error', role: 'alert', hidden: true });
    this.total = el('p', { class: 'arch-total', id: 'arch-total', 'aria-live': 'polite' });
    // Conv and pool blocks go after the last conv/pool block (before any dense one); dense blocks at the end.
    const lastImageBlock = () => this.blocks.reduce((at, b, i) => (b.kind === 'dense' ? at : i + 1), 0);
    const insert = (b: Block, at: number) => this.edit((list) => list.splice(at, 0, b));
    this.addConv = button('+ conv', () => insert({ kind: 'conv', filters: 8, size: 3, stride: 1, padding: 'same' }, lastImageBlock()), { id: 'add-conv', class: 'small' });
    this.addPool = button('+ pool', () => insert({ kind: 'pool', mode: 'max', size: 2 }, lastImageBlock()), { id: 'add-pool', class: 'small' });
    this.addDense = button('+ dense', () => insert({ kind: 'dense', units: 32 }, this.blocks.length), { id: 'add-dense', class: 'small' });
    this.root = el('div', { class: 'arch' }, this.rows, this.total, this.error, el('div', { class: 'inline arch-add' }, this.addConv, this.addPool, this.addDense));
  }

  private edit(change: (blocks: Block[]) => void): void {
    const next = this.blocks.map((b) => ({ ...b }));
    change(next);
    this.onChange(next);
  }

  /** The blocks to show (the state's); rebuilt when they change. */
  sync(blocks: readonly Block[]): void {
    const same = JSON.stringify(blocks) === JSON.stringify(this.blocks);
    this.blocks = blocks.map((b) => ({ ...b }));
    const full = blocks.length >= IMAGE_LIMITS.blocks;
    for (const b of [this.addConv, this.addPool, this.addDense]) {
      b.disabled = full;
      b.title = full ? `At most ${IMAGE_LIMITS.blocks} blocks` : '';
    }
    if (!same) this.render();
  }

  /** What the library built (or null while it builds), and why it refused the blocks (or null). */
  setInfo(info: ImageInfo | null, error: string | null): void {
    if (info) this.info = info;
    this.error.hidden = error === null;
    this.error.textContent = error ?? '';
    this.render();
  }

  private render(): void {
    // Re-rendering replaces the controls: the focus goes back to the one with the same id.
    const focused = this.root.contains(document.activeElement) ? document.activeElement?.id : undefined;
    this.renderRows();
    if (focused) document.getElementById(focused)?.focus();
  }

  private renderRows(): void {
    // The library's layers, in order; the flatten it inserts is shown but has no block.
    const layers = this.info?.layers ?? [];
    const built = layers.filter((l) => l.type !== 'flatten');
    const matches = built.length === this.blocks.length + 1;
    const shape = (dims: number[] | undefined) => (dims ? dims.join('×') : '…');
    const row = (name: string, controls: HTMLElement[], dims: number[] | undefined, params: number | undefined, tools: HTMLElement[] = [], cls = '') =>
      el(
        'div',
        { class: `arch-row ${cls}`, role: 'listitem' },
        el('span', { class: 'arch-name', text: name }),
        el('span', { class: 'arch-controls' }, ...controls),
        el('span', { class: 'arch-shape', text: `→ ${shape(dims)}` }),
        el('span', { class: 'arch-params', text: params === undefined ? '' : `${params.toLocaleString('en-US')} params` }),
        el('span', { class: 'arch-tools' }, ...tools),
      );
    const out: HTMLElement[] = [row('input', [], [28, 28, 1], 0, [], 'fixed')];
    let li = 0;
    this.blocks.forEach((b, i) => {
      // The flatten the library put before this block.
      while (matches && layers[li]?.type === 'flatten') {
        out.push(row('flatten', [], layers[li]!.shape, 0, [], 'fixed'));
        li++;
      }
      const layer = matches ? layers[li++] : undefined;
      const n = i + 1;
      const controls: HTMLElement[] = [];
      const set = (key: string) => (v: unknown) => this.edit((list) => ((list[i] as unknown as Record<string, unknown>)[key] = v));
      const field = (s: { root: HTMLElement }) => {
        s.root.classList.add('compact');
        s.root.querySelector('label')!.prepend(el('span', { class: 'sr-only', text: `Block ${n} ` }));
        return s.root;
      };
      if (b.kind === 'conv') {
        controls.push(
          field(select('filters', nums(FILTERS.includes(b.filters) ? FILTERS : [...FILTERS, b.filters].sort((x, y) => x - y)), b.filters, set('filters'), { id: `block-${n}-filters` })),
          field(select('size', nums(SIZES), b.size, set('size'), { id: `block-${n}-size` })),
          field(select('stride', nums(STRIDES), b.stride, set('stride'), { id: `block-${n}-stride` })),
          field(select('padding', [{ value: 'valid', label: 'valid' }, { value: 'same', label: 'same' }], b.padding, set('padding'), { id: `block-${n}-padding` })),
        );
      } else if (b.kind === 'pool') {
        controls.push(
          field(select('kind', [{ value: 'max', label: 'max' }, { value: 'avg', label: 'average' }], b.mode, set('mode'), { id: `block-${n}-mode` })),
          field(select('size', nums([2, 3]), b.size, set('size'), { id: `block-${n}-size` })),
        );
      } else {
        controls.push(field(select('units', nums(UNITS.includes(b.units) ? UNITS : [...UNITS, b.units].sort((x, y) => x - y)), b.units, set('units'), { id: `block-${n}-units` })));
      }
      const up = button('↑', () => this.edit((list) => list.splice(i - 1, 2, list[i]!, list[i - 1]!)), { class: 'round tiny', 'aria-label': `Move block ${n} up`, title: 'Move up' });
      const down = button('↓', () => this.edit((list) => list.splice(i, 2, list[i + 1]!, list[i]!)), { class: 'round tiny', 'aria-label': `Move block ${n} down`, title: 'Move down' });
      const remove = button('×', () => this.edit((list) => list.splice(i, 1)), { class: 'round tiny', 'aria-label': `Remove block ${n}`, title: 'Remove' });
      up.disabled = i === 0;
      down.disabled = i === this.blocks.length - 1;
      out.push(row(`${n}. ${describe(b)}`, controls, layer?.shape, layer?.params, [up, down, remove], `block-${b.kind}`));
    });
    while (matches && layers[li]?.type === 'flatten') {
      out.push(row('flatten', [], layers[li]!.shape, 0, [], 'fixed'));
      li++;
    }
    const output = matches ? layers[li] : undefined;
    out.push(row('dense 10 softmax (output)', [], output?.shape ?? [10], output?.params, [], 'fixed'));
    this.rows.replaceChildren(...out);
    this.total.textContent = matches && this.info ? `Total: ${this.info.totalParams.toLocaleString('en-US')} parameters` : 'Building…';
  }
}

/**
 * Error analysis as the course teaches it: the dev set's confusion matrix,
 * and a gallery of the misclassified dev digits (true and predicted label,
 * confidence; the most confident mistakes first) that you tag by error
 * category, with each category's count as a share of the mistakes reviewed.
 * A cell of the matrix filters the gallery to that pair of digits.
 */
import { button, el, percent } from '../ui/dom.js';
import type { Evaluation, ImageInfo } from './protocol.js';
import { paintDigit } from './tiles.js';

export const ERROR_CATEGORIES = [
  { key: 'similar', label: 'looks like the predicted digit' },
  { key: 'sloppy', label: 'badly written' },
  { key: 'stroke', label: 'thick, thin or broken stroke' },
  { key: 'position', label: 'off-centre, rotated or cut off' },
  { key: 'label', label: 'mislabeled (the label is wrong)' },
  { key: 'other', label: 'something else' },
] as const;
export type ErrorCategory = (typeof ERROR_CATEGORIES)[number]['key'];

/** How many misclassified digits the gallery shows at once. */
const GALLERY_MAX = 120;

export interface CategoryCount {
  key: ErrorCategory;
  label: string;
  count: number;
  /** Share of the reviewed (tagged) mistakes, 0..1. */
  share: number;
}

export class ErrorsView {
  readonly root: HTMLElement;
  private readonly matrix: HTMLTableElement;
  private readonly gallery: HTMLElement;
  private readonly galleryNote: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly counts: HTMLElement;
  private info: ImageInfo | null = null;
  private evaluation: Evaluation | null = null;
  /** (true, predicted) of the matrix cell the gallery is filtered to, or null for every mistake. */
  private filter: [number, number] | null = null;
  private selected: number | null = null;
  readonly tags = new Map<number, Set<ErrorCategory>>();
  private shown: number[] = [];

  constructor(private readonly onProbe: (index: number) => void) {
    this.matrix = el('table', { class: 'confusion', id: 'confusion' });
    this.gallery = el('div', { class: 'gallery', id: 'error-gallery', role: 'listbox', 'aria-label': 'Misclassified dev digits' });
    this.galleryNote = el('p', { class: 'hint', id: 'gallery-note', 'aria-live': 'polite' });
    this.detail = el('div', { class: 'error-detail', id: 'error-detail' });
    this.counts = el('table', { class: 'error-counts', id: 'error-counts' });
    this.gallery.addEventListener('keydown', (e) => this.galleryKey(e));
    this.root = el(
      'div',
      { class: 'errors' },
      el('h3', { text: 'Dev confusion matrix' }),
      el('p', { class: 'hint', text: 'Rows: true digit; columns: predicted. Click a mistake to see those digits.' }),
      el('div', { class: 'confusion-wrap' }, this.matrix),
      el('h3', { text: 'Error analysis' }),
      this.galleryNote,
      this.gallery,
      this.detail,
      this.counts,
    );
    this.renderCounts();
  }

  setData(info: ImageInfo): void {
    this.info = info;
    this.evaluation = null;
    this.selected = null;
    this.filter = null;
    this.tags.clear();
  }

  update(ev: Evaluation): void {
    this.evaluation = ev;
    this.renderMatrix();
    this.renderGallery();
  }

  /** The dev indices misclassified now (the gallery's filter applied), most confident first. */
  mistakes(): number[] {
    const ev = this.evaluation;
    const info = this.info;
    if (!ev || !info) return [];
    const out: number[] = [];
    for (let j = 0; j < info.devM; j++) {
      const truth = info.devLabels[j]!;
      const pred = ev.predicted[j]!;
      if (pred === truth) continue;
      if (this.filter && (truth !== this.filter[0] || pred !== this.filter[1])) continue;
      out.push(j);
    }
    return out.sort((a, b) => ev.confidence[b]! - ev.confidence[a]!);
  }

  /** Each category's count among the mistakes tagged so far, as a share of them. */
  categoryCounts(): { reviewed: number; errors: number; categories: CategoryCount[] } {
    const ev = this.evaluation;
    const info = this.info;
    const errors: number[] = [];
    if (ev && info) for (let j = 0; j < info.devM; j++) if (ev.predicted[j] !== info.devLabels[j]) errors.push(j);
    const reviewed = errors.filter((j) => (this.tags.get(j)?.size ?? 0) > 0);
    return {
      reviewed: reviewed.length,
      errors: errors.length,
      categories: ERROR_CATEGORIES.map((c) => {
        const count = reviewed.filter((j) => this.tags.get(j)!.has(c.key)).length;
        return { key: c.key, label: c.label, count, share: reviewed.length ? count / reviewed.length : 0 };
      }),
    };
  }

  private renderMatrix(): void {
    const ev = this.evaluation!;
    const head = el('tr', {}, el('th', { scope: 'col', text: 't \\ p' }), ...Array.from({ length: 10 }, (_, p) => el('th', { scope: 'col', text: String(p) })));
    let max = 1;
    for (let t = 0; t < 10; t++) for (let p = 0; p < 10; p++) if (t !== p) max = Math.max(max, ev.confusion[t * 10 + p]!);
    const rows = Array.from({ length: 10 }, (_, t) => {
      const cells = Array.from({ length: 10 }, (_, p) => {
        const n = ev.confusion[t * 10 + p]!;
        const td = el('td', { class: t === p ? 'diag' : n > 0 ? 'miss' : '' });
        if (t !== p && n > 0) {
          const on = this.filter !== null && this.filter[0] === t && this.filter[1] === p;
          const b = button(String(n), () => this.setFilter(on ? null : [t, p]), { class: `cell${on ? ' on' : ''}`, 'aria-label': `${n} dev digit${n === 1 ? '' : 's'} ${t} predicted as ${p}${on ? ' (shown; click to show all)' : ''}`, 'aria-pressed': String(on) });
          b.style.setProperty('--heat', String(0.15 + 0.85 * (n / max)));
          td.append(b);
        } else td.textContent = n > 0 ? String(n) : '';
        return td;
      });
      return el('tr', {}, el('th', { scope: 'row', text: String(t) }), ...cells);
    });
    this.matrix.replaceChildren(el('thead', {}, head), el('tbody', {}, ...rows));
  }

  private setFilter(f: [number, number] | null): void {
    this.filter = f;
    this.renderMatrix();
    this.renderGallery();
  }

  private renderGallery(): void {
    const info = this.info;
    const ev = this.evaluation;
    if (!info || !ev) return;
    const all = this.mistakes();
    this.shown = all.slice(0, GALLERY_MAX);
    if (this.selected !== null && !this.shown.includes(this.selected)) this.selected = null;
    const focusTab = this.selected ?? this.shown[0];
    const what = this.filter ? `true ${this.filter[0]} predicted as ${this.filter[1]}` : 'misclassified';
    this.galleryNote.textContent = all.length === 0 ? `No ${what} dev digits.` : `${all.length} ${what} dev digit${all.length === 1 ? '' : 's'}${all.length > this.shown.length ? ` (the ${this.shown.length} most confident shown)` : ''}, most confident first. Select one to tag it (keys 1-6); pause training to review a fixed set.`;
    this.gallery.replaceChildren(
      ...this.shown.map((j) => {
        const canvas = el('canvas', { width: 28, height: 28, 'aria-hidden': 'true' });
        paintDigit(canvas, info.devPixels, j * 784);
        const tags = [...(this.tags.get(j) ?? [])].map((k) => ERROR_CATEGORIES.findIndex((c) => c.key === k) + 1).sort().join('');
        const item = el(
          'div',
          { class: `gallery-item${j === this.selected ? ' selected' : ''}`, role: 'option', 'aria-selected': String(j === this.selected), tabindex: j === focusTab ? 0 : -1, 'data-index': j, 'aria-label': `Dev digit ${j}: true ${info.devLabels[j]}, predicted ${ev.predicted[j]} with ${percent(ev.confidence[j]!, 0)}${tags ? `, tagged ${tags}` : ''}` },
          canvas,
          el('span', { class: 'gallery-caption', text: `${info.devLabels[j]}→${ev.predicted[j]} ${percent(ev.confidence[j]!, 0)}` }),
          el('span', { class: 'gallery-tags', text: tags }),
        );
        item.addEventListener('click', () => this.select(j));
        return item;
      }),
    );
    this.renderDetail();
    this.renderCounts();
  }

  private select(j: number | null): void {
    this.selected = j;
    for (const item of Array.from(this.gallery.children)) {
      const on = Number(item.getAttribute('data-index')) === j;
      item.classList.toggle('selected', on);
      item.setAttribute('aria-selected', String(on));
      item.setAttribute('tabindex', on ? '0' : '-1');
    }
    this.renderDetail();
  }

  private galleryKey(e: KeyboardEvent): void {
    const items = Array.from(this.gallery.children) as HTMLElement[];
    const at = items.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    const j = Number(items[at]!.getAttribute('data-index'));
    const digit = Number(e.key);
    if (Number.isInteger(digit) && digit >= 1 && digit <= ERROR_CATEGORIES.length) {
      this.select(j);
      this.toggleTag(j, ERROR_CATEGORIES[digit - 1]!.key);
      e.preventDefault();
      return;
    }
    const next = e.key === 'ArrowRight' || e.key === 'ArrowDown' ? at + 1 : e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? items.length - 1 : -2;
    if (e.key === 'Enter' || e.key === ' ') {
      this.select(j);
      e.preventDefault();
    } else if (next !== -2 && items[next]) {
      e.preventDefault();
      this.select(Number(items[next].getAttribute('data-index')));
      items[next].focus();
    }
  }

  toggleTag(j: number, key: ErrorCategory): void {
    const set = this.tags.get(j) ?? new Set<ErrorCategory>();
    if (set.has(key)) set.delete(key);
    else set.add(key);
    this.tags.set(j, set);
    const item = this.gallery.querySelector(`[data-index="${j}"] .gallery-tags`);
    if (item) item.textContent = [...set].map((k) => ERROR_CATEGORIES.findIndex((c) => c.key === k) + 1).sort().join('');
    this.renderDetail();
    this.renderCounts();
  }

  private renderDetail(): void {
    const info = this.info;
    const ev = this.evaluation;
    const j = this.selected;
    if (!info || !ev || j === null) {
      this.detail.replaceChildren();
      return;
    }
    const canvas = el('canvas', { width: 28, height: 28, class: 'big-digit', 'aria-hidden': 'true' });
    paintDigit(canvas, info.devPixels, j * 784);
    const set = this.tags.get(j);
    this.detail.replaceChildren(
      canvas,
      el(
        'div',
        { class: 'error-tags' },
        el('p', { text: `Dev digit ${j}: true ${info.devLabels[j]}, predicted ${ev.predicted[j]} (${percent(ev.confidence[j]!, 1)}).` }),
        el(
          'div',
          { class: 'tag-buttons', role: 'group', 'aria-label': 'Error categories' },
          ...ERROR_CATEGORIES.map((c, k) =>
            button(`${k + 1} ${c.label}`, () => this.toggleTag(j, c.key), { class: 'tag', 'data-tag': c.key, 'aria-pressed': String(set?.has(c.key) ?? false) }),
          ),
        ),
        button('Show its feature maps', () => this.onProbe(j), { class: 'small', id: 'probe-selected' }),
      ),
    );
  }

  private renderCounts(): void {
    const c = this.categoryCounts();
    this.counts.replaceChildren(
      el('caption', { text: c.reviewed === 0 ? 'Tag mistakes to see which categories are worth working on.' : `${c.reviewed} of ${c.errors} mistakes reviewed` }),
      el('tbody', {}, ...c.categories.map((k) => el('tr', { 'data-tag': k.key }, el('th', { scope: 'row', text: k.label }), el('td', { text: String(k.count) }), el('td', { text: percent(k.share, 0) })))),
    );
  }
}

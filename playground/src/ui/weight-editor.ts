/**
 * The hover read-out and the click-to-edit box for weights and biases. One of
 * each exists per page; they are positioned next to the element they describe.
 */
import { el } from './dom.js';

export interface EditTarget {
  /** e.g. "W[2] (3, 1)", shown as the input's label. */
  label: string;
  value: number;
  apply(value: number): void;
}

export class WeightTooltip {
  readonly root = el('div', { class: 'tooltip', role: 'tooltip', hidden: true });

  show(text: string, anchor: { x: number; y: number }): void {
    this.root.textContent = text;
    this.root.hidden = false;
    this.root.style.left = `${anchor.x + 12}px`;
    this.root.style.top = `${anchor.y + 12}px`;
  }

  hide(): void {
    this.root.hidden = true;
  }
}

export class WeightEditor {
  readonly root: HTMLFormElement;
  private readonly input: HTMLInputElement;
  private readonly label: HTMLLabelElement;
  private target: EditTarget | null = null;
  private returnFocus: HTMLElement | SVGElement | null = null;

  constructor() {
    this.input = el('input', { id: 'weight-input', type: 'number', step: 'any', required: true });
    this.label = el('label', { for: 'weight-input' });
    const cancel = el('button', { type: 'button', text: 'Cancel' });
    cancel.addEventListener('click', () => this.close());
    this.root = el('form', { class: 'weight-editor', hidden: true, 'aria-label': 'Edit a weight' }, this.label, this.input, el('button', { type: 'submit', text: 'Set' }), cancel);
    this.root.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = Number(this.input.value);
      if (this.target && this.input.value.trim() !== '' && Number.isFinite(v)) this.target.apply(v);
      this.close();
    });
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
  }

  open(target: EditTarget, anchor: { x: number; y: number }, from: HTMLElement | SVGElement | null): void {
    this.target = target;
    this.returnFocus = from;
    this.label.textContent = target.label;
    this.input.value = String(Number(target.value.toPrecision(4)));
    this.root.hidden = false;
    this.root.style.left = `${anchor.x}px`;
    this.root.style.top = `${anchor.y}px`;
    this.input.focus();
    this.input.select();
  }

  close(): void {
    this.root.hidden = true;
    this.target = null;
    this.returnFocus?.focus();
    this.returnFocus = null;
  }
}

/**
 * Small DOM helpers: every control is a native element with a visible
 * <label>, so keyboard use and screen readers work without extra code.
 */

type Attrs = Record<string, string | number | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') node.className = String(v);
    else if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

let uid = 0;
function nextId(prefix: string): string {
  return `${prefix}-${++uid}`;
}

export interface Choice<T> {
  value: T;
  label: string;
}

/** A labelled <select>; values are compared with ===. */
export function select<T extends string | number>(
  label: string,
  choices: readonly Choice<T>[],
  value: T,
  onChange: (v: T) => void,
  options: { id?: string; title?: string } = {},
): { root: HTMLElement; input: HTMLSelectElement; set(v: T): void } {
  const id = options.id ?? nextId('sel');
  const input = el('select', { id, title: options.title });
  choices.forEach((c, i) => input.append(el('option', { value: String(i), text: c.label })));
  const set = (v: T) => {
    const i = choices.findIndex((c) => c.value === v);
    input.value = String(Math.max(0, i));
  };
  set(value);
  input.addEventListener('change', () => onChange(choices[Number(input.value)]!.value));
  const root = el('div', { class: 'field' }, el('label', { for: id, text: label }), input);
  return { root, input, set };
}

/** A labelled range slider that shows its value. */
export function range(
  label: string,
  limits: { min: number; max: number; step?: number },
  value: number,
  format: (v: number) => string,
  onChange: (v: number) => void,
  options: { id?: string } = {},
): { root: HTMLElement; input: HTMLInputElement; set(v: number): void } {
  const id = options.id ?? nextId('rng');
  const input = el('input', { id, type: 'range', min: limits.min, max: limits.max, step: limits.step ?? 1, value });
  const shown = el('output', { for: id, text: format(value) });
  const set = (v: number) => {
    input.value = String(v);
    shown.textContent = format(v);
    input.setAttribute('aria-valuetext', format(v));
  };
  set(value);
  input.addEventListener('input', () => (shown.textContent = format(Number(input.value))));
  input.addEventListener('change', () => onChange(Number(input.value)));
  const root = el('div', { class: 'field range' }, el('label', { for: id }, `${label} `, shown), input);
  return { root, input, set };
}

/** A labelled checkbox. */
export function checkbox(label: string, value: boolean, onChange: (v: boolean) => void, options: { id?: string } = {}): { root: HTMLElement; input: HTMLInputElement; set(v: boolean): void } {
  const id = options.id ?? nextId('chk');
  const input = el('input', { id, type: 'checkbox' });
  input.checked = value;
  input.addEventListener('change', () => onChange(input.checked));
  const root = el('div', { class: 'field check' }, input, el('label', { for: id, text: label }));
  return { root, input, set: (v) => (input.checked = v) };
}

export function button(text: string, onClick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, text);
  b.addEventListener('click', onClick);
  return b;
}

export function formatNumber(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
  return v.toFixed(digits);
}

export function percent(v: number, digits = 1): string {
  return `${(v * 100).toFixed(digits)}%`;
}

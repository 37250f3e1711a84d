/**
 * Messages above the playground, one group per source (the URL, the CSV
 * upload, divergence, ...), so a new message from one source replaces its
 * own old one without hiding the others. Errors are announced as alerts.
 */
import { button, el } from './dom.js';

export type Level = 'info' | 'warn' | 'error';

export class Notices {
  private readonly groups = new Map<string, HTMLElement>();

  constructor(private readonly root: HTMLElement) {}

  show(key: string, messages: readonly string[], level: Level = 'warn'): void {
    this.clear(key);
    if (messages.length === 0) return;
    const list = messages.length === 1 ? el('p', { text: messages[0]! }) : el('ul', {}, ...messages.map((m) => el('li', { text: m })));
    const close = button('×', () => this.clear(key), { class: 'dismiss', 'aria-label': 'Dismiss this message' });
    const box = el('div', { class: `notice ${level}`, id: `notice-${key}`, role: level === 'error' ? 'alert' : 'status' }, list, close);
    this.groups.set(key, box);
    this.root.append(box);
  }

  clear(key: string): void {
    this.groups.get(key)?.remove();
    this.groups.delete(key);
  }
}

/**
 * Exporting the trained model in the library's format (model.json +
 * weights.bin, what `loadModel` from 'layerwise/node' reads) and the
 * TypeScript snippet that rebuilds the network.
 */
import { button, el } from './dom.js';

export class ExportPanel {
  readonly root: HTMLElement;
  private readonly links: HTMLElement;
  private readonly code: HTMLElement;
  private readonly status: HTMLElement;
  private urls: string[] = [];

  constructor(handlers: { requestModel(): void; snippet(): string }) {
    this.links = el('div', { class: 'downloads', id: 'downloads' });
    this.code = el('code', { id: 'snippet-code' });
    this.status = el('span', { class: 'hint', role: 'status' });
    const exportButton = button('Export model', () => handlers.requestModel(), { id: 'export-model' });
    const copy = button(
      'Copy TypeScript',
      () => {
        const text = handlers.snippet();
        this.code.textContent = text;
        navigator.clipboard?.writeText(text).then(
          () => (this.status.textContent = 'Copied.'),
          () => (this.status.textContent = 'Copying was refused; select the code below.'),
        );
      },
      { id: 'copy-snippet' },
    );
    const details = el('details', { class: 'snippet' }, el('summary', { text: 'TypeScript that rebuilds this network' }), el('pre', {}, this.code));
    details.addEventListener('toggle', () => {
      if (details.open) this.code.textContent = handlers.snippet();
    });
    this.root = el(
      'section',
      { class: 'export', 'aria-labelledby': 'export-h' },
      el('h3', { id: 'export-h', text: 'Export' }),
      el('div', { class: 'inline' }, exportButton, copy, this.status),
      this.links,
      details,
    );
  }

  /** Offers the two files of a model folder; `loadModel(folder)` from 'layerwise/node' reads them back. */
  offerModel(manifest: unknown, weights: Uint8Array): void {
    for (const u of this.urls) URL.revokeObjectURL(u);
    const json = new Blob([JSON.stringify(manifest, null, 2) + '\n'], { type: 'application/json' });
    const bin = new Blob([weights as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
    this.urls = [URL.createObjectURL(json), URL.createObjectURL(bin)];
    const file = (manifest as { weights?: { file?: string } }).weights?.file ?? 'weights.bin';
    this.links.replaceChildren(
      el('a', { href: this.urls[0], download: 'model.json', id: 'download-manifest', text: 'model.json' }),
      el('a', { href: this.urls[1], download: file, id: 'download-weights', text: file }),
      el('span', { class: 'hint', text: "Save both in one folder; in Node: loadModel(folder) from 'layerwise/node'." }),
    );
  }
}

/**
 * Exporting the trained model in the library's format (model.json +
 * weights.bin, what `loadModel` from 'layerwise/node' reads), as ONNX
 * (model.onnx, for onnxruntime) and as a TensorFlow.js layers model
 * (tfjs-model.json + tfjs-weights.bin, for tf.loadLayersModel), and the
 * TypeScript snippet that rebuilds the network.
 */
import { deserializeModel, exportOnnx, exportTfjs, type StandardizerJSON } from '../lib.js';
import { button, el } from './dom.js';

/** A file to offer for download. */
export interface ExportFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/**
 * The ONNX and TensorFlow.js files of a model in the library's format (what the worker sends):
 * the ONNX model takes the network's feature columns (metadata.features) unstandardized, its
 * standardizer inside; the TF.js model takes them standardized, with the statistics and the
 * feature names in userDefinedMetadata.
 */
export function interopFiles(manifest: unknown, weights: Uint8Array): ExportFile[] {
  const { network, metadata } = deserializeModel(manifest, weights);
  const standardizer = (metadata.standardizer ?? null) as StandardizerJSON | null;
  const units = network.outputLayer.units;
  const raw = metadata.classes;
  const classes = Array.isArray(raw) && raw.length === (units === 1 ? 2 : units) ? raw.map(String) : null;
  const onnx = exportOnnx(network, { standardizer, classes });
  const tfjs = exportTfjs(network, { weightsFile: 'tfjs-weights.bin', metadata: { features: metadata.features ?? null, classes, standardizer } });
  return [
    { name: 'model.onnx', type: 'application/octet-stream', bytes: onnx },
    { name: 'tfjs-model.json', type: 'application/json', bytes: new TextEncoder().encode(JSON.stringify(tfjs.modelJson) + '\n') },
    { name: 'tfjs-weights.bin', type: 'application/octet-stream', bytes: tfjs.weights },
  ];
}

export class ExportPanel {
  readonly root: HTMLElement;
  private readonly links: HTMLElement;
  private readonly code: HTMLElement;
  private readonly status: HTMLElement;
  private urls: string[] = [];

  /** `prefix` keeps a second panel's ids (the image mode's, `image-`) apart from the dense mode's. */
  constructor(
    handlers: { requestModel(): void; snippet(): string },
    private readonly prefix = '',
  ) {
    const id = (name: string) => `${prefix}${name}`;
    this.links = el('div', { class: 'downloads', id: id('downloads') });
    this.code = el('code', { id: id('snippet-code') });
    this.status = el('span', { class: 'hint', role: 'status' });
    const exportButton = button('Export model', () => handlers.requestModel(), { id: id('export-model') });
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
      { id: id('copy-snippet') },
    );
    const details = el('details', { class: 'snippet' }, el('summary', { text: 'TypeScript that rebuilds this network' }), el('pre', {}, this.code));
    details.addEventListener('toggle', () => {
      if (details.open) this.code.textContent = handlers.snippet();
    });
    this.root = el(
      'section',
      { class: 'export', 'aria-labelledby': id('export-h') },
      el('h3', { id: id('export-h'), text: 'Export' }),
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
      el('a', { href: this.urls[0], download: 'model.json', id: `${this.prefix}download-manifest`, text: 'model.json' }),
      el('a', { href: this.urls[1], download: file, id: `${this.prefix}download-weights`, text: file }),
      el('span', { class: 'hint', text: "Save both in one folder; in Node: loadModel(folder) from 'layerwise/node'." }),
    );
    try {
      const files = interopFiles(manifest, weights);
      const links = files.map((f) => {
        const url = URL.createObjectURL(new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.type }));
        this.urls.push(url);
        return el('a', { href: url, download: f.name, id: `${this.prefix}download-${f.name.replace(/\W/g, '-')}`, text: f.name });
      });
      this.links.append(
        el('br'),
        ...links,
        el('span', { class: 'hint', text: 'ONNX for onnxruntime (raw features in, standardized inside); TensorFlow.js: tf.loadLayersModel on tfjs-model.json beside tfjs-weights.bin (standardized features in).' }),
      );
    } catch (e) {
      this.status.textContent = `ONNX/TensorFlow.js export failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
}

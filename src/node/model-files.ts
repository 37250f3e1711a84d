/**
 * Saving and loading model folders: `model.json` plus `weights-<crc32>.bin`.
 * The weights file is named by its checksum and written before the manifest
 * that points at it, so at every instant model.json names a complete weights
 * file: a save killed at any point leaves the previous model loadable. A
 * save removes only the weights file the previous manifest named (and the
 * temporary files of killed saves), never a file it did not write; a load
 * checks each file's type and size before reading it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { byteLengthMismatch, deserializeModel, parseManifest, serializeModelAs, type ModelManifest, type SerializeOptions } from '../io/model-format.js';
import { crc32 } from '../io/crc32.js';
import type { Network } from '../nn/network.js';
import type { RngState } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import { describe } from '../tensor/validate.js';
import { FileKindError, kindOf, readRegularFile, removeStaleTempFiles, writeFileAtomic } from './files.js';

/**
 * The manifest's file name inside a model folder.
 *
 * @example
 * ```ts
 * import { MANIFEST_FILE } from 'layerwise/node';
 * MANIFEST_FILE === 'model.json'; // true
 * ```
 */
export const MANIFEST_FILE = 'model.json';

/**
 * Saves a network into `dir` (created if missing), atomically.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * import { Network } from 'layerwise';
 * import { saveModel, loadModel } from 'layerwise/node';
 * const dir = join(mkdtempSync(join(tmpdir(), 'layerwise-')), 'my-model');
 * const net = new Network({ inputSize: 2, layers: [{ units: 3 }, { units: 1 }] });
 * saveModel(dir, net, { metadata: { labels: ['cat', 'dog'] } });
 * loadModel(dir).network.predict([[1], [2]]).get(0, 0) === net.predict([[1], [2]]).get(0, 0); // true
 * ```
 */
export function saveModel(dir: string, net: Network, options: Omit<SerializeOptions, 'weightsFile'> = {}): ModelManifest {
  return saveModelFiles(dir, net, options, false);
}

/** A weights file's name: `weights-<crc32>.bin`. */
const WEIGHTS_FILE = /^weights-[0-9a-f]{8}\.bin$/;

/**
 * {@link saveModel} into a folder that only layerwise writes (a `layerwise
 * train` run's model folder): every other `weights-<crc32>.bin` in it is also
 * removed, the orphan of a save killed between writing its weights and its
 * manifest.
 */
export function saveModelFiles(dir: string, net: Network, options: Omit<SerializeOptions, 'weightsFile'>, ownsFolder: boolean): ModelManifest {
  // Serializing checks the network (finite weights, JSON metadata) before the folder is touched,
  // so a bad save leaves the previous model in place.
  const probe = serializeModelAs('saveModel', net, options);
  if (typeof dir !== 'string' || dir === '') throw new ValueError(`saveModel: dir: expected a non-empty string, got ${describe(dir)}`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ValueError(`saveModel: dir: expected a folder, got ${dir}, which is a file`);
  mkdirSync(dir, { recursive: true });
  const previous = previousWeightsFile(dir);
  const weightsFile = `weights-${crc32(probe.weights)}.bin`;
  probe.manifest.weights.file = weightsFile;
  removeStaleTempFiles(dir, (name) => WEIGHTS_FILE.test(name));
  writeFileAtomic(join(dir, weightsFile), probe.weights);
  writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(probe.manifest, null, 2) + '\n');
  for (const f of ownsFolder ? readdirSync(dir) : previous ? [previous] : []) {
    if (WEIGHTS_FILE.test(f) && f !== weightsFile) rmSync(join(dir, f), { force: true });
  }
  return probe.manifest;
}

/** The weights file the folder's current manifest names, which the next save replaces; null when there is none to trust. */
function previousWeightsFile(dir: string): string | null {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(readRegularFile(join(dir, MANIFEST_FILE), { maxSize: MAX_MANIFEST_BYTES })));
    const v = json as { format?: unknown; weights?: { file?: unknown } } | null;
    const file = v?.format === 'layerwise-model' ? v.weights?.file : undefined;
    return typeof file === 'string' && WEIGHTS_FILE.test(file) ? file : null;
  } catch {
    return null;
  }
}

/** What {@link loadModel} returns. */
export interface LoadedModel {
  network: Network;
  manifest: ModelManifest;
  metadata: Record<string, unknown>;
  rngState: RngState | null;
}

/**
 * Loads a model folder written by {@link saveModel}, validating the manifest
 * against the schema and the weights against their checksum.
 *
 * @example
 * ```ts
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { Network } from 'layerwise';
 * import { saveModel, loadModel } from 'layerwise/node';
 * const dir = mkdtempSync(`${tmpdir()}/layerwise-`);
 * saveModel(dir, new Network({ inputSize: 2, layers: [{ units: 1 }] }), { metadata: { labels: ['no', 'yes'] } });
 * const { network, metadata } = loadModel(dir);
 * network.layerDims.join() === '2,1' && (metadata.labels as string[])[1] === 'yes'; // true
 * ```
 */
export function loadModel(dir: string): LoadedModel {
  const where = 'loadModel';
  if (!existsSync(dir)) throw new ValueError(`${where}: ${dir}: expected a model folder, but it does not exist`);
  const stats = statSync(dir);
  if (!stats.isDirectory()) {
    const hint = stats.isFile() && basename(dir) === MANIFEST_FILE ? `; pass the folder that holds it, ${dirname(dir)}` : '';
    throw new ValueError(`${where}: ${dir}: expected a model folder, got ${kindOf(stats)}${hint}`);
  }
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new ValueError(`${where}: ${dir}: expected ${MANIFEST_FILE} in the model folder, found none`);
  let text: string;
  try {
    text = new TextDecoder().decode(readRegularFile(manifestPath, { maxSize: MAX_MANIFEST_BYTES }));
  } catch (e) {
    if (!(e instanceof FileKindError)) throw e;
    const what = e.size === null ? e.message.replace(/^which is (.*?)(, not a regular file)?$/, '$1') : `a manifest of at most ${MAX_MANIFEST_BYTES / 2 ** 20} MiB, got ${gib(e.size)}; this is not a model manifest`;
    throw new ValueError(`${where}: ${manifestPath}: expected ${e.size === null ? `the manifest file, got ${what}` : what}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`${where}: ${manifestPath}: not valid JSON (${e instanceof Error ? e.message : String(e)}); the file is truncated or not a model manifest`);
  }
  const file = (json as { weights?: { file?: unknown } })?.weights?.file;
  const weightsPath = typeof file === 'string' && /^[A-Za-z0-9._-]+$/.test(file) ? join(dir, file) : null;
  if (weightsPath && !existsSync(weightsPath)) throw new ValueError(`${where}: ${dir}: the manifest names ${file}, which is missing`);
  // The manifest is checked before the weights are opened: its byteLength bounds what is read.
  const manifest = parseManifest(json, manifestPath);
  let weights: Uint8Array;
  try {
    weights = readRegularFile(join(dir, manifest.weights.file), { size: manifest.weights.byteLength });
  } catch (e) {
    if (!(e instanceof FileKindError)) throw e;
    if (e.size !== null) throw new ValueError(`${where}: ${manifest.weights.file}: ${byteLengthMismatch(manifest.weights.byteLength, e.size)}`);
    throw new ValueError(`${where}: ${dir}: the manifest names ${manifest.weights.file}, ${e.message}`);
  }
  return deserializeModel(json, weights, manifestPath);
}

/** The largest model.json read: far above any real manifest (architecture, labels, encodings, statistics). */
const MAX_MANIFEST_BYTES = 256 * 2 ** 20;

/** A byte count in the unit a person reads it in. */
function gib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${+(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 2 ** 20 ? `${+(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}

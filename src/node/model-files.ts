/**
 * Saving and loading model folders: `model.json` plus `weights-<crc32>.bin`.
 * The weights file is named by its checksum and written before the manifest
 * that points at it, so at every instant model.json names a complete weights
 * file: a save killed at any point leaves the previous model loadable.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deserializeModel, serializeModelAs, type ModelManifest, type SerializeOptions } from '../io/model-format.js';
import { crc32 } from '../io/crc32.js';
import type { Network } from '../nn/network.js';
import type { RngState } from '../random/rng.js';
import { ValueError } from '../tensor/errors.js';
import { describe } from '../tensor/validate.js';
import { writeFileAtomic } from './files.js';

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
  // Serializing checks the network (finite weights, JSON metadata) before the folder is touched,
  // so a bad save leaves the previous model in place.
  const probe = serializeModelAs('saveModel', net, options);
  if (typeof dir !== 'string' || dir === '') throw new ValueError(`saveModel: dir: expected a non-empty string, got ${describe(dir)}`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ValueError(`saveModel: dir: expected a folder, got ${dir}, which is a file`);
  mkdirSync(dir, { recursive: true });
  const weightsFile = `weights-${crc32(probe.weights)}.bin`;
  probe.manifest.weights.file = weightsFile;
  writeFileAtomic(join(dir, weightsFile), probe.weights);
  writeFileAtomic(join(dir, MANIFEST_FILE), JSON.stringify(probe.manifest, null, 2) + '\n');
  for (const f of readdirSync(dir)) {
    if (/^weights-[0-9a-f]{8}\.bin$/.test(f) && f !== weightsFile) rmSync(join(dir, f), { force: true });
  }
  return probe.manifest;
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
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ValueError(`${where}: ${dir}: expected a model folder, but it does not exist`);
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new ValueError(`${where}: ${dir}: expected ${MANIFEST_FILE} in the model folder, found none`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new ValueError(`${where}: ${manifestPath}: not valid JSON (${e instanceof Error ? e.message : String(e)}); the file is truncated or not a model manifest`);
  }
  const file = (json as { weights?: { file?: unknown } })?.weights?.file;
  const weightsPath = typeof file === 'string' && /^[A-Za-z0-9._-]+$/.test(file) ? join(dir, file) : null;
  if (weightsPath && !existsSync(weightsPath)) throw new ValueError(`${where}: ${dir}: the manifest names ${file}, which is missing`);
  const weights = weightsPath ? new Uint8Array(readFileSync(weightsPath)) : new Uint8Array(0);
  return deserializeModel(json, weights, manifestPath);
}

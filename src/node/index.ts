/**
 * layerwise/node: the parts that need Node's file system. The core
 * (`layerwise`) stays free of Node-only imports so it bundles for browsers.
 *
 * @example
 * ```ts
 * import { saveModel, loadModel } from 'layerwise/node';
 * ```
 */
export { writeFileAtomic } from './files.js';
export { saveModel, loadModel, MANIFEST_FILE, type LoadedModel } from './model-files.js';
export { loadMnist, type MnistData } from './mnist.js';

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
// Distributed search (issue 18): BullMQ on Redis, Node only.
export { RedisTrialQueue, readSearch, type RedisTrialQueueOptions, type SearchProgress } from '../distributed/redis-queue.js';
export { startTrialWorker, type TrialWorker, type TrialWorkerOptions } from '../distributed/worker.js';
export { trialProcessor, TrialRefused, type TrialContext } from '../distributed/processor.js';
export { parseRedisUrl, QueueError, QUEUE_NAME, JOB_FORMAT, JOB_VERSION, type RedisAddress, type SearchRecord, type TrialJobData, type TrialJobResult, type TrialProgress } from '../distributed/protocol.js';
export type { TrialQueue, TrialQueueHooks, PlannedTrial, FailedTrial, QueueSearchOptions } from '../diagnose/search.js';

// Child process for the model-file tests: loads argv[2] and prints what happened, so a read that
// would hang (a FIFO, /dev/zero) fails the test by its timeout instead of blocking the test runner.
import { loadModel } from '../../src/node/index.js';

try {
  loadModel(process.argv[2]!);
  process.stdout.write('loaded\n');
} catch (e) {
  process.stdout.write(`${e instanceof Error ? e.message : String(e)}\n`);
}

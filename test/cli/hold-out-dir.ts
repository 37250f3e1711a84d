// Child process for the --out lock tests: opens (and locks) the run folder argv[2], says so on stdout,
// then waits on the event loop ("wait") or computes synchronously after beginCompute ("compute").
import { openRunFolder } from '../../src/cli/out-dir.js';

const [dir, mode] = process.argv.slice(2);
const run = openRunFolder(dir!, { command: 'train', flags: {}, outputs: ['model/'], say: (line) => process.stderr.write(line + '\n') });
if (mode === 'compute') {
  run.beginCompute();
  process.stdout.write('computing\n');
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000) {
    // synchronous work, as training is
  }
} else {
  process.stdout.write('locked\n');
  setInterval(() => {}, 1000);
}

#!/usr/bin/env node
/**
 * The `layerwise` command: train, evaluate, predict, inspect, search.
 */
import { Command, Option } from 'commander';
import { ACTIVATION_NAMES } from '../nn/activations.js';
import { LIBRARY_VERSION } from '../io/version.js';
import { BUILTINS } from './data/index.js';
import { CliError, userMessage } from './errors.js';
import { LAYERS_GRAMMAR, parseLayers } from './layers-grammar.js';
import { AUGMENT_HELP, augmentList, delimiter, keepProbList, MAX_EPOCHS, nonNegativeInt, numberIn, oneOf, positiveInt, splitSpec } from './options.js';
import { trainCommand, TRAINING_DEFAULTS, type Io, type TrainArgs, type TrainOptions } from './commands/train.js';
import { evaluateCommand } from './commands/evaluate.js';
import { predictCommand } from './commands/predict.js';
import { inspectCommand } from './commands/inspect.js';
import { exportCommand, type ExportOptions } from './commands/export.js';
import { importCommand, type ImportOptions } from './commands/import.js';
import { searchCommand } from './commands/search.js';
import { sampleCommand, type SampleCommandOptions } from './commands/sample.js';
import { translateCommand, type TranslateOptions } from './commands/translate.js';
import { generateCommand, GENERATED, type GenerateOptions } from './commands/generate.js';
import { defaultConcurrency, workerCommand } from './commands/worker.js';
import { useFastestBackend } from './backend.js';

// A reader that stops early (`layerwise inspect ... | head`) closes the pipe: stop quietly, as Unix tools do, instead of a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const io: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  isTTY: Boolean(process.stdout.isTTY && process.stderr.isTTY),
};

/** What a search trial trains when --epochs and --batch-size are not given (every trial trains its full epochs). */
const SEARCH_EPOCHS = 10;
const SEARCH_BATCH_SIZE = 64;

const DELIMITER_HELP = 'field separator of a CSV file: one character such as ";", or "tab" (default: ",")';

/** Options shared by train and search: data, network, optimization, regularization, split. */
function trainingOptions(cmd: Command): Command {
  return cmd
    .option('--data <source>', `CSV file, image folder, built-in (${BUILTINS.join(', ')}), or text: words:<file> (one word per line: a language model) or pairs:<file> (source<TAB>target per line: translation)`, 'mnist')
    .option('--target <column>', 'target column of a CSV (default: the last column)')
    .option('--delimiter <char>', DELIMITER_HELP, delimiter)
    .addOption(new Option('--task <task>', 'classification or regression (default: detected from the target); language-model (words:) or translation (pairs:) for text').choices(['classification', 'regression', 'language-model', 'translation']))
    .option('--layers <list>', `hidden layers, comma-separated: ${LAYERS_GRAMMAR} ("none" for no hidden layer)`, parseLayers('--layers'), [128, 64])
    .option('--activation <name>', `hidden activation: ${ACTIVATION_NAMES.filter((a) => a !== 'softmax').join(', ')}`, oneOf('--activation', ['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear'] as const), 'relu')
    .option('--output <name>', 'output activation: sigmoid, softmax or linear (default: from the task and the class count)', oneOf('--output', ['sigmoid', 'softmax', 'linear'] as const))
    .option('--optimizer <name>', 'gd, momentum, rmsprop or adam', oneOf('--optimizer', ['gd', 'momentum', 'rmsprop', 'adam'] as const), 'adam')
    .option('--lr <rate>', 'learning rate (default: 0.001 for adam and rmsprop, 0.01 otherwise)', numberIn('--lr', 0, Infinity, { minOpen: true, maxOpen: true }))
    .option('--epochs <n>', `passes over the training set (train: exactly n, no early stopping unless --early-stopping is given; default: a budget of at least ${TRAINING_DEFAULTS.minEpochs} epochs and ${TRAINING_DEFAULTS.minUpdates} updates, stopped early on the dev cost; search: ${SEARCH_EPOCHS})`, positiveInt('--epochs', MAX_EPOCHS))
    .option('--batch-size <n>', `examples per update (default: about 1/${TRAINING_DEFAULTS.smallTableBatches} of the training set, at most ${TRAINING_DEFAULTS.largeBatch}; search: ${SEARCH_BATCH_SIZE})`, positiveInt('--batch-size'))
    .option('--decay <rate>', 'learning-rate decay: lr / (1 + decay * epoch)', numberIn('--decay', 0, Infinity, { maxOpen: true }))
    .option('--l2 <lambda>', 'L2 regularization strength', numberIn('--l2', 0, Infinity, { maxOpen: true }), 0)
    .option('--l1 <lambda>', 'L1 regularization strength', numberIn('--l1', 0, Infinity, { maxOpen: true }), 0)
    .option('--keep-prob <p>', 'dropout keep probability: one value for every hidden layer, or one per hidden layer', keepProbList('--keep-prob'))
    .option('--batch-norm', 'batch-normalize the hidden layers', false)
    .option('--init <name>', 'weight initializer: zeros, random, he, xavier', oneOf('--init', ['zeros', 'random', 'he', 'xavier'] as const), 'he')
    .option('--split <sizes>', 'train,dev,test ratios (0.8,0.1,0.1) or counts (8000,1000,1000)', splitSpec, splitSpec('0.8,0.1,0.1'))
    .option('--seed <n>', 'seed of the one random generator', nonNegativeInt('--seed'), 1)
    .option('--normalize', 'standardize features with the training set statistics (default: yes, unless every feature already lies in [0, 1], like pixels)')
    .option('--no-normalize', 'do not standardize features')
    .option('--early-stopping <patience>', 'stop after this many epochs without dev improvement, keep the best weights (train default: on, with a patience chosen from the data size, unless --epochs is given)', positiveInt('--early-stopping'))
    .option('--optimal-error <e>', 'Bayes or human-level error for the bias/variance diagnosis', numberIn('--optimal-error', 0, 1))
    .option('--image-size <n>', 'side images are resized to', positiveInt('--image-size'), 64)
    .option('--skip-bad-images', 'skip undecodable images with a warning', false)
    .option('--json', 'print one JSON object as the last line of stdout, no progress bar', false);
}

function run(action: () => Promise<number>): Promise<void> {
  return action().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const message = userMessage(e);
      if (message === null) throw e;
      process.stderr.write(`layerwise: error: ${message}\n`);
      process.exitCode = e instanceof CliError ? e.exitCode : 1;
    },
  );
}

const program = new Command();
program.name('layerwise').description('Train, evaluate and use neural networks (dense, convolutional), the Deep Learning Specialization way.').version(LIBRARY_VERSION);
program.configureOutput({ outputError: (str, write) => write(`layerwise: ${str.replace(/^error: /, 'error: ')}`) });

trainingOptions(program.command('train').description('train a network and write the model, history.csv and report.html'))
  .option('--out <dir>', 'output folder', 'layerwise-run')
  .option('--force', 'use a non-empty --out folder that is not a layerwise run (files layerwise did not write are never replaced, even so)')
  .option('--checkpoint-every <epochs>', 'save a resumable checkpoint every N epochs', positiveInt('--checkpoint-every'))
  .option('--resume <dir>', 'continue the run whose --out folder is <dir> from its last checkpoint')
  .option('--augment <list>', `augment image training batches: ${AUGMENT_HELP}`, augmentList('--augment'))
  .option('--from <model>', 'transfer learning: start from this trained model folder, with a new output layer for the data\'s classes')
  .option('--freeze <n>', 'freeze the first n layers (with --from: of the pretrained body) while the rest trains', positiveInt('--freeze'))
  .option('--no-early-stopping', 'train the whole epoch budget (or --epochs) without stopping on the dev cost')
  .option('--sample-every <epochs>', 'text data: print samples (words:) or dev translations (pairs:) every N epochs (default: about 5 times per run)', positiveInt('--sample-every'))
  // Text data has its own default network: note whether --layers was typed.
  .hook('preAction', (cmd) => void cmd.setOptionValue('layersGiven', cmd.getOptionValueSource('layers') === 'cli'))
  .action((o: TrainArgs) => run(async () => (await useFastestBackend(io, o.json), trainCommand(o, io))));

program
  .command('evaluate')
  .description('metrics and confusion matrix of a saved model on labelled data')
  .requiredOption('--model <dir>', 'model folder written by train')
  .requiredOption('--data <source>', 'CSV file, image folder or built-in name')
  .option('--delimiter <char>', DELIMITER_HELP, delimiter)
  .option('--json', 'print one JSON object', false)
  .action((o: { model: string; data: string; delimiter?: string; json: boolean }) =>
    run(async () => (await useFastestBackend(io, true), evaluateCommand(o, io))),
  );

program
  .command('predict')
  .description('predictions with the original label names and class probabilities')
  .requiredOption('--model <dir>', 'model folder written by train')
  .requiredOption('--data <source>', 'CSV file (the target column may be absent) or image folder')
  .option('--delimiter <char>', DELIMITER_HELP, delimiter)
  .option('--out <file>', 'write predictions to this CSV instead of stdout')
  .action((o: { model: string; data: string; delimiter?: string; out?: string }) =>
    run(async () => (await useFastestBackend(io, true), predictCommand(o, io))),
  );

program
  .command('inspect')
  .description('architecture, parameter counts, training configuration and data statistics of a model')
  .requiredOption('--model <dir>', 'model folder written by train')
  .option('--json', 'print one JSON object', false)
  .action((o: { model: string; json: boolean }) => run(async () => inspectCommand(o, io)));

program
  .command('export')
  .description('write a model folder as an ONNX file or a TensorFlow.js layers model (model.json + weights.bin)')
  .requiredOption('--model <dir>', 'model folder written by train (or saveModel)')
  .requiredOption('--format <name>', 'onnx or tfjs', oneOf('--format', ['onnx', 'tfjs'] as const))
  .requiredOption('--out <path>', 'the .onnx file (onnx), or the folder for model.json and weights.bin (tfjs)')
  .option('--opset <n>', 'ONNX opset, 13 to 21 (default: 13)', positiveInt('--opset'))
  .action((o: ExportOptions) => run(async () => exportCommand(o, io)));

program
  .command('import')
  .description('read a TensorFlow.js layers model or an ONNX file into a layerwise model folder')
  .argument('<source>', 'the TensorFlow.js model folder (model.json and its weight files) or the .onnx file')
  .requiredOption('--format <name>', 'tfjs or onnx', oneOf('--format', ['tfjs', 'onnx'] as const))
  .requiredOption('--out <dir>', 'model folder to write')
  .action((source: string, o: ImportOptions) => run(async () => importCommand(source, o, io)));

program
  .command('sample')
  .description('words drawn from a language model trained on --data words:<file>, one per line')
  .requiredOption('--model <dir>', 'model folder written by train')
  .option('--n <count>', 'how many words', positiveInt('--n'), 10)
  .option('--seed <n>', 'seed of the draws (the same seed prints the same words)', nonNegativeInt('--seed'), 1)
  .option('--temperature <t>', 'below 1: likelier words; above 1: more varied', numberIn('--temperature', 0, 100, { minOpen: true }), 1)
  .option('--max-length <n>', 'the most characters per word (default and at most: the model\'s T)', positiveInt('--max-length'))
  .action((o: SampleCommandOptions) => run(async () => (await useFastestBackend(io, true), sampleCommand(o, io))));

program
  .command('translate')
  .description('outputs of a translation model trained on --data pairs:<file> (e.g. dates to ISO dates)')
  .argument('[texts...]', 'texts to translate')
  .requiredOption('--model <dir>', 'model folder written by train')
  .option('--input <file>', 'translate each line of this file instead')
  .option('--attention <dir>', 'write each input\'s attention map to <dir>/attention-<i>.svg (a network with attn)')
  .option('--json', 'print one JSON array', false)
  .action((texts: string[], o: TranslateOptions) => run(async () => (await useFastestBackend(io, true), translateCommand(texts, o, io))));

program
  .command('generate')
  .description('write a data file: dates (human-readable dates<TAB>ISO dates, for train --data pairs:<file>) or names (Pokémon names, one per line, for train --data words:<file>)')
  .argument('<what>', GENERATED.join(' or '))
  .option('--n <count>', 'how many examples (default: 10000 dates; all 1,025 names)', positiveInt('--n'))
  .option('--seed <n>', 'seed of the generator', nonNegativeInt('--seed'), 1)
  .requiredOption('--out <file>', 'the file to write')
  .option('--force', 'replace --out if it exists')
  .action((what: string, o: GenerateOptions) => run(() => generateCommand(what, o, io)));

trainingOptions(program.command('search').description('random hyperparameter search, scored on the dev set'))
  .option('--trials <n>', 'number of trials (required, unless --attach)', positiveInt('--trials'))
  .option('--queue <url>', 'run the trials on `layerwise worker` processes through this Redis: redis://host:port[/db]')
  .option('--attach <id>', 'with --queue: reconnect to the search with this id (printed when it was submitted) and wait for its results')
  // --attach runs with the search's own options: note the ones typed here, which it refuses.
  .hook('preAction', (cmd) => void cmd.setOptionValue('given', Object.keys(cmd.opts()).filter((k) => cmd.getOptionValueSource(k) === 'cli')))
  .option('--space <json>', 'search space as JSON, e.g. {"lr":{"logUniform":[0.0001,0.01]},"layers":{"choice":[[64],[128,64]]}}')
  .option('--out <dir>', 'folder for trials.csv and best.json', 'layerwise-search')
  .option('--force', 'use a non-empty --out folder that is not a layerwise run (files layerwise did not write are never replaced, even so)')
  .action((o: TrainArgs & { trials: number; space?: string }) => {
    const options: TrainOptions & { trials: number; space?: string } = { ...o, epochs: o.epochs ?? SEARCH_EPOCHS, batchSize: o.batchSize ?? SEARCH_BATCH_SIZE, earlyStopping: o.earlyStopping === false ? undefined : o.earlyStopping };
    return run(async () => (await useFastestBackend(io, o.json), searchCommand(options, io)));
  });

program
  .command('worker')
  .description('take the trials of `layerwise search --queue` searches from Redis and train them (stop: Ctrl-C or SIGTERM, after the running trials)')
  .requiredOption('--queue <url>', 'the Redis the searches queue their trials on: redis://host:port[/db]')
  .option('--concurrency <n>', `trials trained at once, each in its own thread (default: one per 2 cores, here ${defaultConcurrency()}; a lone trial uses 2 wasm threads)`, positiveInt('--concurrency'))
  .option('--name <name>', 'this worker\'s name in logs and job records (default: host:pid)')
  .option('--lock-duration <ms>', 'how long a trial stays locked without renewal: a killed worker\'s trial goes to another worker after this (and the stalled-job check runs as often)', positiveInt('--lock-duration'), 30000)
  .action((o: { queue: string; concurrency?: number; name?: string; lockDuration: number }) => run(() => workerCommand(o, io)));

await program.parseAsync(process.argv);

/**
 * The TypeScript that rebuilds the page's network and training run with the
 * library. It prints the same option objects the worker uses (model-spec.ts),
 * so the two cannot drift apart.
 */
import { networkOptions, outputKind, scheduleSpec } from './model-spec.js';
import type { FeatureName, State } from './state.js';

const FEATURE_CODE: Readonly<Record<FeatureName, string>> = {
  x1: 'x1',
  x2: 'x2',
  x1sq: 'x1 * x1',
  x2sq: 'x2 * x2',
  x1x2: 'x1 * x2',
  sinx1: 'Math.sin(x1)',
  sinx2: 'Math.sin(x2)',
};

function literal(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object')) return `[${value.map((v) => literal(v)).join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join('\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    const flat = entries.every(([, v]) => v === null || typeof v !== 'object');
    if (flat) return `{ ${entries.map(([k, v]) => `${k}: ${literal(v)}`).join(', ')} }`;
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${k}: ${literal(v, inner)},`).join('\n')}\n${indent}}`;
  }
  return typeof value === 'string' ? `'${value}'` : String(value);
}

export function typescriptSnippet(s: State, classes: number): string {
  const out = outputKind(s, classes);
  const schedule = scheduleSpec(s);
  const features = s.features.map((f) => FEATURE_CODE[f]).join(', ');
  const targets =
    out === 'softmax'
      ? `oneHot(labels, ${classes})`
      : out === 'tanh'
        ? '[labels.map((y) => 2 * y - 1)] // tanh output: class 0 -> -1, class 1 -> +1'
        : '[[...labels]]';
  const imports = ['Network', 'fit', 'fromRows', ...(out === 'softmax' ? ['oneHot'] : []), ...(s.normalize ? ['Standardizer'] : [])];
  const fitOptions = [
    `learningRate: ${s.learningRate}`,
    'epochs',
    `batchSize: Math.min(${s.batchSize}, points.length)`,
    `optimizer: '${s.optimizer}'`,
    ...(schedule ? [`schedule: ${literal(schedule)}`] : []),
  ];
  return [
    `import { ${imports.join(', ')} } from 'layerwise';`,
    '',
    `/** The playground's input features of a point (${s.features.join(', ')}). */`,
    `export const features = (x1: number, x2: number): number[] => [${features}];`,
    '',
    `export const net = new Network(${literal(networkOptions(s, classes))});`,
    '',
    `/** Trains on [x1, x2] points with ${s.problem === 'regression' ? 'real-valued targets' : `class labels 0..${classes - 1}`}, as the playground does. */`,
    'export function train(points: readonly (readonly [number, number])[], labels: readonly number[], epochs = 100) {',
    `  ${s.normalize ? 'const raw' : 'const X'} = fromRows(points.map(([x1, x2]) => features(x1, x2))); // (n_x, m)`,
    ...(s.normalize ? ['  const X = Standardizer.fit(raw).transform(raw); // keep the standardizer to transform new points'] : []),
    `  const Y = ${targets};`,
    `  return fit(net, X, Y, { ${fitOptions.join(', ')} });`,
    '}',
    '',
  ].join('\n');
}

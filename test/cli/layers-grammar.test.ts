/**
 * `--layers`: the grammar (a plain integer is a dense layer; conv, pool, bn, res, flatten tokens are image
 * layers), its errors (the token and the grammar), and a conv network trained end to end from the CLI.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasImageLayers, isSequenceToken, LAYERS_GRAMMAR, parseLayers, withActivation } from '../../src/cli/layers-grammar.js';
import { textNetworkSpecs } from '../../src/cli/commands/train-text.js';
import { Vocabulary } from '../../src/data/text.js';
import { Network } from '../../src/nn/network.js';
import { AUGMENT_HELP, augmentList } from '../../src/cli/options.js';
import { cli, lastJson } from './run-cli.js';

const parse = parseLayers('--layers');

describe('--layers grammar', () => {
  it('plain integers stay dense layers; "none" is no hidden layer', () => {
    expect(parse('128,64')).toEqual([128, 64]);
    expect(parse('none')).toEqual([]);
    expect(hasImageLayers(parse('128,64'))).toBe(false);
  });

  it('conv tokens with stride and padding modifiers', () => {
    expect(parse('conv5x5x32')).toEqual([{ type: 'conv2d', size: 5, filters: 32, activation: 'relu' }]);
    expect(parse('conv3x3x64/same')).toEqual([{ type: 'conv2d', size: 3, filters: 64, activation: 'relu', padding: 'same' }]);
    expect(parse('conv3x3x64/s2/p1')).toEqual([{ type: 'conv2d', size: 3, filters: 64, activation: 'relu', stride: 2, padding: 1 }]);
    expect(parse('conv1x1x8/valid')).toEqual([{ type: 'conv2d', size: 1, filters: 8, activation: 'relu', padding: 'valid' }]);
  });

  it('pooling, batch norm, flatten and residual blocks', () => {
    expect(parse('maxpool2,avgpool3/s1,bn,flatten')).toEqual([
      { type: 'maxPool2d', size: 2 },
      { type: 'avgPool2d', size: 3, stride: 1 },
      { type: 'batchNorm' },
      { type: 'flatten' },
    ]);
    const [res] = parse('res3x16');
    expect(res).toEqual({
      type: 'residual',
      activation: 'relu',
      main: [
        { type: 'conv2d', size: 3, filters: 16, padding: 'same', batchNorm: true, activation: 'relu' },
        { type: 'conv2d', size: 3, filters: 16, padding: 'same', batchNorm: true, activation: 'linear' },
      ],
    });
    expect(hasImageLayers(parse('conv3x3x4,128'))).toBe(true);
  });

  it('--activation reaches conv layers and residual blocks, not their linear last conv', () => {
    const [conv, res] = withActivation(parse('conv3x3x4,res3x4'), 'tanh') as unknown as [{ activation: string }, { activation: string; main: { activation: string }[] }];
    expect(conv.activation).toBe('tanh');
    expect(res.activation).toBe('tanh');
    expect(res.main.map((c) => c.activation)).toEqual(['tanh', 'linear']);
  });

  it('a token that does not parse is shown with the grammar', () => {
    const bad = (v: string, why: string) => expect(() => parse(v)).toThrow(`--layers: "${why.split('"')[1]}": ${why.split('": ')[1]}; expected comma-separated layers: ${LAYERS_GRAMMAR}`);
    bad('conv5x5', '"conv5x5": not a layer');
    bad('conv5x3x8', '"conv5x3x8": filters are square (f x f), got 5x3');
    bad('conv3x3x8/s0', '"conv3x3x8/s0": "/s0" is not a modifier this layer takes (or is given twice)');
    bad('maxpool2/same', '"maxpool2/same": "/same" is not a modifier this layer takes (or is given twice)');
    bad('res4x8', '"res4x8": a residual block\'s convs are \'same\' and need an odd f, got 4');
    bad('64,lstm', '"lstm": not a layer');
    bad('0', '"0": a dense layer needs a positive number of units');
  });
});

describe('layerwise train with conv layers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-cnn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains a CNN on the MNIST digits as images, saves it, and inspect shows the summary', async () => {
    const out = join(dir, 'run');
    const r = await cli(['train', '--data', 'mnist', '--layers', 'conv5x5x8,maxpool2,conv3x3x8,maxpool2', '--epochs', '1', '--split', '2000,500,500', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/conv2d 5x5x8 relu\s+\(m, 24, 24, 8\)\s+208/);
    const j = lastJson(r) as { test: { accuracy: number } };
    // One epoch on 7,000 digits (10,000 minus the 2,000 + 500 + 500 held out... the rest train): well above chance.
    expect(j.test.accuracy).toBeGreaterThan(0.8);
    const ins = await cli(['inspect', '--model', join(out, 'model')]);
    expect(ins.code, ins.stderr).toBe(0);
    expect(ins.stdout).toContain('input: 28 x 28 x 1 images (784 values)');
    expect(ins.stdout).toMatch(/flatten \(m, 5, 5, 8\)\s+\(200, m\)/);
    const ev = await cli(['evaluate', '--model', join(out, 'model'), '--data', 'mnist']);
    expect(ev.code, ev.stderr).toBe(0);
  });

  it('refuses image layers on a table, and a network the tokens cannot build, in the option\'s terms', async () => {
    const a = await cli(['train', '--data', 'moons', '--layers', 'conv3x3x4', '--epochs', '1', '--out', join(dir, 'x')]);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain('layerwise: error: --layers: image layers (conv, pool, res) need image data (--data mnist or a folder of images), got the table moons');
    const b = await cli(['train', '--data', 'mnist', '--layers', 'conv5x5x8,maxpool8,conv5x5x8', '--epochs', '1', '--out', join(dir, 'y')]);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain('layerwise: error: --layers: layers[2]: a 5x5 filter (stride 1, pad 0) does not fit the (m, 3, 3, 8) input');
    const c = await cli(['train', '--data', 'mnist', '--layers', 'conv5x5', '--epochs', '1', '--out', join(dir, 'z')]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('--layers: "conv5x5": not a layer; expected comma-separated layers:');
  });
});

describe('--augment, --from and --freeze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerwise-transfer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--augment parses names with optional amounts', () => {
    const parse = augmentList('--augment');
    expect(parse('flip,shift=3,rotate,brightness=0.2')).toEqual({ flip: true, shift: 3, rotate: 10, brightness: 0.2 });
    expect(parse('shift')).toEqual({ shift: 2 });
    expect(() => parse('shift=1.5')).toThrow(`--augment: "shift=1.5": expected ${AUGMENT_HELP}`);
    expect(() => parse('zoom')).toThrow(`--augment: "zoom": expected ${AUGMENT_HELP}`);
    expect(() => parse('rotate=-5')).toThrow('--augment: "rotate=-5": expected a number >= 0 after "=", got "-5"');
  });

  it('a pretrained conv body with a new head: --from keeps its weights, --freeze keeps them fixed', async () => {
    const base = join(dir, 'base');
    const a = await cli(['train', '--data', 'mnist', '--layers', 'conv5x5x8,maxpool2', '--epochs', '1', '--split', '6000,500,500', '--augment', 'shift=1', '--out', base]);
    expect(a.code, a.stderr).toBe(0);
    const b = await cli(['train', '--data', 'mnist', '--from', join(base, 'model'), '--freeze', '2', '--epochs', '1', '--split', '6000,500,500', '--out', join(dir, 'tuned'), '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain('Non-trainable params: 208');
    expect((lastJson(b) as { test: { accuracy: number } }).test.accuracy).toBeGreaterThan(0.85);
    const c = await cli(['train', '--data', 'mnist', '--from', join(base, 'model'), '--freeze', '4', '--epochs', '1', '--out', join(dir, 'x')]);
    expect(c.stderr).toContain('layerwise: error: --freeze: expected fewer layers than the network\'s 4 (the output layer must train), got 4');
    const d = await cli(['train', '--data', 'moons', '--from', join(base, 'model'), '--epochs', '1', '--out', join(dir, 'y')]);
    expect(d.stderr).toContain(`layerwise: error: --from: ${join(base, 'model')}: the model takes 28 x 28 x 1 images, but --data moons gives 2 features`);
    const e = await cli(['train', '--data', 'moons', '--augment', 'flip', '--epochs', '1', '--out', join(dir, 'z')]);
    expect(e.stderr).toContain('layerwise: error: --augment: expected image layers (conv, pool) on image data; this network takes flat features');
  });
});

describe('--layers sequence tokens', () => {
  it('rnn/gru/lstm with /seq and /bi, emb, attn, enc, pos', () => {
    expect(parse('lstm64')).toEqual([{ type: 'recurrent', cell: 'lstm', units: 64, sequences: false, bidirectional: false }]);
    expect(parse('rnn8/seq,gru16/bi/seq')).toEqual([
      { type: 'recurrent', cell: 'simpleRnn', units: 8, sequences: true, bidirectional: false },
      { type: 'recurrent', cell: 'gru', units: 16, sequences: true, bidirectional: true },
    ]);
    expect(parse('emb32,pos,enc4x32')).toEqual([{ type: 'embed', dim: 32 }, { type: 'positional' }, { type: 'encoder', heads: 4, dModel: 32 }]);
    expect(parse('attn,attn64')).toEqual([{ type: 'attend', units: null }, { type: 'attend', units: 64 }]);
    const tokens = parse('lstm32/bi/seq,attn64');
    expect(tokens.every(isSequenceToken)).toBe(true);
    expect(hasImageLayers(tokens)).toBe(false);
    expect(withActivation(tokens, 'tanh')).toEqual(tokens);
  });

  it('bad sequence tokens are shown with the grammar', () => {
    const grammar = `; expected comma-separated layers: ${LAYERS_GRAMMAR}`;
    expect(() => parse('lstm64/rev')).toThrow(`--layers: "lstm64/rev": "/rev" is not a modifier of a recurrent layer (it takes /seq and /bi, once each)${grammar}`);
    expect(() => parse('gru8/bi/bi')).toThrow('"/bi" is not a modifier of a recurrent layer');
    expect(() => parse('enc3x32')).toThrow(`--layers: "enc3x32": the width d = 32 must split evenly over 3 heads (d_k = d / heads)${grammar}`);
    expect(() => parse('lstm0')).toThrow('--layers: "lstm0": not a layer');
    expect(LAYERS_GRAMMAR).toContain('rnn<n_a>|gru<n_a>|lstm<n_a>[/seq][/bi]');
  });
});

describe('textNetworkSpecs: --layers on text data', () => {
  // Language model: V = 5 (pad, end, a, b, c), T = 4; translation: V_x = 6, T_x = 7, V_y = 4, T_y = 3.
  const lmVocab = Vocabulary.fromStrings(['abc'], { extra: ['\n'] });
  const lm = { task: 'language-model' as const, vocabulary: lmVocab, targetVocabulary: lmVocab, sourceLength: 4, targetLength: 4 };
  const src = Vocabulary.fromStrings(['abcde']);
  const tgt = Vocabulary.fromStrings(['xyz']);
  const tr = { task: 'translation' as const, vocabulary: src, targetVocabulary: tgt, sourceLength: 7, targetLength: 3 };

  it('a language model: the recurrent layer returns sequences and a softmax over V is added at every step', () => {
    const plan = textNetworkSpecs(parse('lstm16'), lm);
    expect(plan.indices).toBe(false);
    expect(plan.specs).toEqual([
      { type: 'lstm', units: 16, returnSequences: true },
      { type: 'timeDistributed', units: 5, activation: 'softmax' },
    ]);
    expect(plan.notes[0]).toBe('lstm16: returns every step (the softmax at every step after it reads a sequence)');
    const net = new Network({ inputShape: { sequence: [5, 4] }, layers: plan.specs });
    expect(net.outputSequence).toEqual({ kind: 'sequence', units: 5, steps: 4 });
  });

  it('emb<d> makes the input indices; enc is causal for a language model', () => {
    const plan = textNetworkSpecs(parse('emb8,pos,enc2x8'), lm);
    expect(plan.indices).toBe(true);
    expect(plan.specs.slice(0, 3)).toEqual([{ type: 'embedding', vocab: 5, dim: 8 }, { type: 'positionalEncoding' }, { type: 'transformerEncoder', heads: 2, causal: true }]);
  });

  it('translation: attention gets T_y from the data and a bidirectional encoder below it', () => {
    const plan = textNetworkSpecs(parse('lstm4/bi/seq,attn6'), tr);
    expect(plan.specs).toEqual([
      { type: 'bidirectional', layer: { type: 'lstm', units: 4, returnSequences: true } },
      { type: 'attention', steps: 3, units: 6 },
      { type: 'timeDistributed', units: 4, activation: 'softmax' },
    ]);
    const net = new Network({ inputShape: { sequence: [6, 7] }, layers: plan.specs });
    expect(net.outputSequence).toEqual({ kind: 'sequence', units: 4, steps: 3 });
    expect(textNetworkSpecs(parse('gru4,attn'), tr).specs[1]).toEqual({ type: 'attention', steps: 3, units: 64 });
  });

  it('refuses what cannot work, saying how to fix it', () => {
    const bad = (layers: string, d: typeof lm | typeof tr, message: string) => expect(() => textNetworkSpecs(parse(layers), d)).toThrow(message);
    bad('lstm8/bi', lm, '--layers: lstm8/bi: a language model predicts each character from the ones before it; a bidirectional layer also reads the ones after (drop /bi)');
    bad('lstm8,attn', lm, '--layers: attn: attention reads the whole input at every output step; a language model must see only the characters before each step');
    bad('lstm8', tr, '--layers: the network outputs 7 steps (T_x, one per input character) but the targets have T_y = 3; add attn');
    bad('attn', tr, '--layers: attn: attention reads an encoder\'s states; put a recurrent layer before it');
    bad('enc2x8', lm, '--layers: enc2x8: the encoder\'s width is d = 8, but its input has 5 features per step (one-hot characters, V = 5); start with emb8 (--layers emb8,pos,enc2x8)');
    bad('lstm4,emb8', lm, '--layers: emb8: an embedding reads the characters\' indices, so it comes first');
    bad('64', lm, '--layers: 64 (a dense layer) does not read sequences; with --data words:<file> use rnn<n_a>');
    bad('none', lm, '--layers: expected at least one sequence layer for --data words:<file>');
  });
});

/**
 * What a file that is not the expected model looks like, so an import error
 * can say "got a Keras HDF5 file" rather than "invalid wire type".
 */

/** The kind of model file (or other content) a parsed JSON value is. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a JSON array of ${value.length} items`;
  if (typeof value !== 'object') return `a JSON ${typeof value}`;
  const v = value as Record<string, unknown>;
  switch (v.format) {
    case 'layers-model':
      return "a TensorFlow.js layers model's model.json";
    case 'graph-model':
      return 'a TensorFlow.js graph model (converted from a SavedModel or frozen graph: it holds operations, not layers, and cannot be imported as layers)';
    case 'layerwise-model':
      return 'a layerwise model manifest (load its folder with loadModel)';
  }
  if ('modelTopology' in v) return `a model.json with modelTopology but format ${JSON.stringify(v.format)}`;
  if ('class_name' in v && 'config' in v) return 'a bare Keras model config (class_name/config) without the weightsManifest of a TensorFlow.js model.json';
  const keys = Object.keys(v).slice(0, 5);
  return keys.length === 0 ? 'an empty JSON object' : `a JSON object with keys ${keys.map((k) => JSON.stringify(k)).join(', ')}${Object.keys(v).length > 5 ? ', ...' : ''}`;
}

/**
 * What a byte string looks like: JSON (and which model kind), HDF5 (Keras
 * .h5), a zip (.keras, PyTorch), a pickle, TFLite, text, or its first bytes.
 */
export function describeBytes(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'an empty file (0 bytes)';
  const ascii = (from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === '\x89HDF') return 'an HDF5 file (a Keras .h5 model? convert it with tensorflowjs_converter to a layers model, or with tf2onnx to ONNX)';
  if (ascii(0, 4) === 'PK\x03\x04') return 'a zip archive (a .keras file or a PyTorch checkpoint? export the model to ONNX or a TensorFlow.js layers model first)';
  if (bytes[0] === 0x80 && bytes.length > 1 && bytes[1]! >= 2 && bytes[1]! <= 5) return 'a Python pickle (a PyTorch state dict? export the model with torch.onnx.export)';
  if (ascii(4, 8) === 'TFL3') return 'a TensorFlow Lite flatbuffer';
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, Math.min(bytes.length, 1 << 16)));
  const trimmed = head.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return describeJson(JSON.parse(new TextDecoder().decode(bytes)));
    } catch {
      return 'text that starts like JSON but does not parse';
    }
  }
  const sample = head.slice(0, 40);
  // eslint-disable-next-line no-control-regex
  if (/^[\x09\x0a\x0d\x20-\x7e]+$/.test(sample)) return `text starting with ${JSON.stringify(sample)}`;
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `${bytes.length} bytes starting with ${hex}`;
}

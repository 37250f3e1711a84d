/**
 * Runs an ONNX model with onnxruntime-web's WebAssembly build, in Node, from
 * the files in node_modules (no network): one thread, the plain SIMD build.
 */
import * as ort from 'onnxruntime-web';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/** The model's one output for one input tensor. */
export async function runOnnx(bytes: Uint8Array, input: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, [...dims]) };
    const out = await session.run(feeds);
    const y = out[session.outputNames[0]!]!;
    return { data: y.data as Float32Array, dims: y.dims };
  } finally {
    await session.release();
  }
}

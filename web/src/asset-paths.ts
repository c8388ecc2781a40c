/**
 * Where the voice-activity model, its audio worklet and onnxruntime's wasm are served from: by this
 * project (vite-plugins/vad-assets.ts copies them in dev and build), never a CDN — the page must work
 * on a machine with no internet. Trailing slash required: the libraries append file names to it.
 */
export const VAD_ASSET_PATH = '/vad/';

/**
 * The files the VAD fetches from VAD_ASSET_PATH when it starts: the
 * Silero model, its audio worklet, onnxruntime's loader and wasm.
 */
export const VAD_ASSET_FILES = [
  'silero_vad_v5.onnx',
  'vad.worklet.bundle.min.js',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.mjs',
] as const;
export type VadAssetFile = (typeof VAD_ASSET_FILES)[number];

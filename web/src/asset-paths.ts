/**
 * Where the voice-activity model, its audio worklet and onnxruntime's wasm are served from: by this
 * project (vite-plugins/vad-assets.ts copies them in dev and build), never a CDN — the page must work
 * on a machine with no internet. Trailing slash required: the libraries append file names to it.
 */
export const VAD_ASSET_PATH = '/vad/';

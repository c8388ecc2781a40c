import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';
import { VAD_ASSET_FILES, VAD_ASSET_PATH, type VadAssetFile } from '../src/asset-paths.ts';

const require = createRequire(import.meta.url);

/**
 * Files the on-device VAD fetches at run time by URL (not through the bundler): the Silero model, the
 * audio worklet, and onnxruntime's WebAssembly with its loader. Only the plain wasm backend is listed:
 * vad-web imports onnxruntime-web/wasm, and without cross-origin isolation it runs single-threaded.
 */
const SPECIFIERS: Readonly<Record<VadAssetFile, string>> = {
  'silero_vad_v5.onnx': '@ricky0123/vad-web/dist/silero_vad_v5.onnx',
  'vad.worklet.bundle.min.js': '@ricky0123/vad-web/dist/vad.worklet.bundle.min.js',
  'ort-wasm-simd-threaded.wasm': 'onnxruntime-web/ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.mjs': 'onnxruntime-web/ort-wasm-simd-threaded.mjs',
};
export const VAD_ASSETS: readonly { name: VadAssetFile; specifier: string }[] = VAD_ASSET_FILES.map((name) => ({
  name,
  specifier: SPECIFIERS[name],
}));

const TYPES: Readonly<Record<string, string>> = {
  onnx: 'application/octet-stream',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  wasm: 'application/wasm',
};

function sourceOf(name: string): string | undefined {
  const asset = VAD_ASSETS.find((a) => a.name === name);
  return asset && require.resolve(asset.specifier);
}

/**
 * Serves VAD_ASSETS under VAD_ASSET_PATH in `vite dev` and copies them there in `vite build`, so the
 * page never asks a CDN for them (vad-web's default).
 */
export function vadAssets(): Plugin {
  return {
    name: 'voxanne-vad-assets',
    configureServer(server) {
      server.middlewares.use(VAD_ASSET_PATH, (req, res, next) => {
        const name = (req.url ?? '').split('?')[0]!.replace(/^\//, '');
        const path = sourceOf(name);
        if (!path) return next();
        stat(path).then(
          (st) => {
            res.writeHead(200, {
              'content-type': TYPES[name.split('.').pop()!] ?? 'application/octet-stream',
              'content-length': st.size,
            });
            createReadStream(path).on('error', next).pipe(res);
          },
          (e: unknown) => next(e),
        );
      });
    },
    async generateBundle() {
      for (const asset of VAD_ASSETS) {
        this.emitFile({
          type: 'asset',
          fileName: `${VAD_ASSET_PATH.slice(1)}${asset.name}`,
          source: await readFile(require.resolve(asset.specifier)),
        });
      }
    },
  };
}

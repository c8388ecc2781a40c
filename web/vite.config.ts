import { fileURLToPath } from 'node:url';
import { defineConfig, searchForWorkspaceRoot } from 'vite';
import { vadAssets } from './vite-plugins/vad-assets.ts';

const webDir = fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '');
const repoRoot = searchForWorkspaceRoot(webDir);
/**
 * Vite's root is the client's own folder: the dev server serves files under its root, and web/server
 * (the server's source and configuration), web/test and this file are outside it, so no URL reaches them.
 */
const clientRoot = `${webDir}/src`;

export default defineConfig({
  root: clientRoot,
  plugins: [vadAssets()],
  // Pre-bundled up front: vad-web is CommonJS and imported lazily, and discovering it on first use
  // in dev would make Vite reload the page in the middle of a call.
  optimizeDeps: { include: ['livekit-client', '@ricky0123/vad-web'] },
  server: {
    // The dev server may serve only the client, the shared contracts (@voxanne/contracts, a workspace
    // package linked from node_modules) and dependencies; Vite's default would expose the whole
    // repository under /@fs/.
    fs: { allow: [clientRoot, `${repoRoot}/contracts/src`, `${repoRoot}/node_modules`] },
  },
  build: {
    outDir: `${webDir}/dist`,
    emptyOutDir: true,
    target: 'es2022',
    // audio worklets stay files: a data: URL would need script-src data: in a content security policy
    assetsInlineLimit: (file) => (file.endsWith('.worklet.js') ? false : undefined),
    // two pages: the talking page, and the staff dashboard (served for /login and /dashboard/*)
    rollupOptions: { input: { main: `${clientRoot}/index.html`, dashboard: `${clientRoot}/dashboard.html` } },
    // livekit-client and onnxruntime are big by nature; the VAD chunk is loaded on demand
    chunkSizeWarningLimit: 1500,
  },
});

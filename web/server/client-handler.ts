import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ViteDevServer } from 'vite';
import type { WebConfig } from './config.ts';
import { htmlPageFor, serveStatic } from './static-files.ts';

/** Serves the browser client: Vite middleware in dev mode, the built files in static mode. */
export interface ClientHandler {
  handle(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void>;
  close(): Promise<void>;
}

export function createClientHandler(config: WebConfig, httpServer: Server): ClientHandler {
  return config.mode === 'dev' ? devClient(config, httpServer) : staticClient(config.distDir);
}

function staticClient(distDir: string): ClientHandler {
  return {
    handle: (req, res, rawPath) => serveStatic(req, res, distDir, rawPath),
    close: async () => {},
  };
}

/**
 * Vite is started on the first page request rather than in createWebServer, which must return
 * synchronously; importing it lazily also keeps vite out of static (production) mode entirely.
 */
function devClient(config: WebConfig, httpServer: Server): ClientHandler {
  let vite: Promise<ViteDevServer> | undefined;
  const start = async (): Promise<ViteDevServer> => {
    const { createServer } = await import('vite');
    return createServer({
      // web/src, as in vite.config.ts: web/server is outside Vite's root, so its source is never served
      root: join(config.webRoot, 'src'),
      configFile: join(config.webRoot, 'vite.config.ts'),
      // 'mpa': no SPA fallback, so an unknown path is 404 (not the talking page); our pages are mapped below
      appType: 'mpa',
      // HMR rides on our server's port instead of opening a second one (24678) that parallel runs would fight over
      server: { middlewareMode: true, hmr: { server: httpServer } },
    });
  };
  return {
    async handle(req, res, rawPath) {
      vite ??= start();
      // the dashboard's routes get dashboard.html, transformed by Vite like any page; but its modules
      // live under /dashboard/ too (Vite's root is web/src): a file name, unless a navigation asks for a page
      const page = dashboardPage(rawPath);
      const navigation = String(req.headers.accept ?? '').includes('text/html');
      if (page && (navigation || !/\.[a-z0-9]+$/i.test(rawPath))) req.url = `/${page}`;
      const server = await vite;
      await new Promise<void>((resolve, reject) => {
        server.middlewares(req, res, (err?: unknown) => {
          if (err) return reject(err instanceof Error ? err : new Error(String(err)));
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Not found\n');
          resolve();
        });
        res.once('close', resolve);
      });
    },
    async close() {
      if (vite) await (await vite).close();
    },
  };
}

function dashboardPage(rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null; // Vite answers malformed paths itself
  }
  const page = htmlPageFor(decoded);
  return page && page !== 'index.html' ? page : null;
}

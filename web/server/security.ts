/**
 * What every answer of the web server carries, and which requests it answers at all (README,
 * "Security"): the security headers on every page and API response, and the Host allow-list
 * that makes a DNS-rebinding page (a foreign name resolving to 127.0.0.1) get nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { servedOverHttps } from './client-address.ts';
import type { WebConfig } from './config.ts';
import { livekitHttpUrl } from './health.ts';

/**
 * The page's content security policy. No inline script anywhere (the pages load modules only);
 * connections to this origin and to LiveKit (its WebSocket, and its HTTP origin, which
 * livekit-client asks when a connection fails); the VAD's WebAssembly needs 'wasm-unsafe-eval' and
 * onnxruntime starts its workers from blob: URLs. Vite's dev server injects the page's CSS as
 * <style> elements, so dev mode alone allows inline styles.
 */
export function contentSecurityPolicy(config: Pick<WebConfig, 'livekitUrl' | 'mode'>): string {
  const lkWs = new URL(config.livekitUrl).origin.replace(/^http/, 'ws');
  const lkHttp = new URL(livekitHttpUrl(config.livekitUrl)).origin;
  const connect = ["'self'", lkWs, lkHttp].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    `style-src 'self'${config.mode === 'dev' ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    "media-src 'self' blob:",
    `connect-src ${connect}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** HSTS for a year: once a browser has seen the site over HTTPS it never tries plain HTTP again */
export const HSTS = 'max-age=31536000; includeSubDomains';

/** Sets the headers every response carries; route handlers add their own on top. */
export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse, config: WebConfig, csp: string): void {
  res.setHeader('content-security-policy', csp);
  res.setHeader('x-frame-options', 'DENY'); // frame-ancestors for browsers that predate it
  res.setHeader('x-content-type-options', 'nosniff');
  // a call's page URL, or the dashboard's /dashboard/calls/<id>, is nobody else's business
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('permissions-policy', 'microphone=(self), camera=(), geolocation=()');
  if (servedOverHttps(req, config)) res.setHeader('strict-transport-security', HSTS);
}

/** the Host header's name without its port, lowercase; undefined when absent or malformed */
export function hostName(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(host.trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  const name = hostName(host);
  return name !== undefined && allowed.includes(name);
}

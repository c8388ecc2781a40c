/**
 * Who is asking, and over what: the client's address and whether the page reached it over HTTPS.
 * Proxy headers are believed only with TRUST_PROXY=1 (the operator's own proxy in front); without
 * it anyone could send them. Shared by the login limits, the token limits and the security headers.
 */
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

export interface ProxyTrust {
  /** TRUST_PROXY=1 */
  trustProxy: boolean;
  /** PUBLIC_URL; https:// means every request reached us over HTTPS (through a proxy that ends TLS) */
  publicUrl?: string | undefined;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.at(-1) : v;
};

/**
 * The socket's address; behind a trusted proxy, the last X-Forwarded-For entry: the one our proxy
 * appended, naming whoever connected to it (the entries before it are the client's own claims).
 */
export function clientAddress(req: IncomingMessage, t: ProxyTrust): string {
  if (t.trustProxy) {
    const last = header(req, 'x-forwarded-for')?.split(',').at(-1)?.trim();
    if (last && /^[0-9A-Fa-f:.]{2,45}$/.test(last)) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/** HTTPS when PUBLIC_URL says so, the socket is TLS, or a trusted proxy says X-Forwarded-Proto: https */
export function servedOverHttps(req: IncomingMessage, t: ProxyTrust): boolean {
  if (t.publicUrl?.startsWith('https://')) return true;
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return t.trustProxy && header(req, 'x-forwarded-proto')?.split(',').at(-1)?.trim().toLowerCase() === 'https';
}

/**
 * A client address as a rate-limit key: an IPv4-mapped address as plain IPv4, an IPv6 client by its
 * /64 (one household or host holds a whole /64 and could otherwise take a fresh address per request).
 */
export function addressKey(addr: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (mapped) return mapped[1]!;
  if (!isIPv6(addr)) return addr;
  return `${expandIPv6(addr).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(addr: string): string[] {
  const [head = '', tail] = addr.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}

/**
 * A small FHIR R4 REST client: JSON in and out (application/fhir+json), the bearer token from
 * SMART backend auth (renewed once on a 401), ETags for versioned updates (If-Match), conditional
 * create (If-None-Exist), and every failure as a FhirError carrying the HTTP status and the
 * OperationOutcome's words. No retries here: a write is never repeated blindly, and the booking
 * tools answer a failure by offering the caller a message for the front desk.
 */
import { FhirError } from './errors.ts';
import type { Bundle, CapabilityStatement, FhirResource, Parameters } from './resources.ts';
import { outcomeText } from './resources.ts';

export interface FhirClientOptions {
  baseUrl: string;
  /** "Bearer …", or undefined for an open server */
  authorization?: () => Promise<string>;
  /** the token was refused: drop it */
  invalidate?: () => void;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface FhirResponse<T> {
  status: number;
  body: T;
  /** the version ETag (W/"3") of a read or write */
  etag?: string;
}

const FHIR_JSON = 'application/fhir+json';

export class FhirClient {
  readonly base: string;
  readonly #fetch: typeof fetch;
  #capabilities: Promise<CapabilityStatement> | undefined;

  constructor(private readonly o: FhirClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.#fetch = o.fetch ?? fetch;
  }

  /** GET [base]/metadata, once per client (a call's worth) */
  capabilities(): Promise<CapabilityStatement> {
    this.#capabilities ??= this.request<CapabilityStatement>('GET', 'metadata').then((r) => r.body);
    // a failed read is tried again next time, not remembered
    this.#capabilities.catch(() => (this.#capabilities = undefined));
    return this.#capabilities;
  }

  search<R extends FhirResource>(type: string, params: Record<string, string | string[]>): Promise<Bundle<R>> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
    return this.request<Bundle<R>>('GET', `${type}?${q}`).then((r) => r.body);
  }

  read<R extends FhirResource>(type: string, id: string): Promise<FhirResponse<R>> {
    return this.request<R>('GET', `${type}/${encodeURIComponent(id)}`);
  }

  create<R extends FhirResource>(r: R, o: { ifNoneExist?: string } = {}): Promise<FhirResponse<R>> {
    return this.request<R>('POST', r.resourceType, r, o.ifNoneExist ? { 'if-none-exist': o.ifNoneExist } : {});
  }

  /** PUT with If-Match: a 412 says someone changed it since `etag` was read */
  update<R extends FhirResource & { id?: string }>(r: R, etag: string | undefined): Promise<FhirResponse<R>> {
    return this.request<R>(
      'PUT',
      `${r.resourceType}/${encodeURIComponent(r.id!)}`,
      r,
      etag ? { 'if-match': etag } : {},
    );
  }

  operation<T>(path: string, p: Parameters): Promise<FhirResponse<T>> {
    return this.request<T>('POST', path, p);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    retried = false,
  ): Promise<FhirResponse<T>> {
    const h: Record<string, string> = { accept: FHIR_JSON, ...headers };
    if (body !== undefined) h['content-type'] = FHIR_JSON;
    if (this.o.authorization) h.authorization = await this.o.authorization();
    let res: Response;
    try {
      res = await this.#fetch(`${this.base}/${path}`, {
        method,
        headers: h,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 4000),
      });
    } catch (err) {
      const e = err as Error;
      throw new FhirError(
        e.name === 'TimeoutError' ? `FHIR server did not answer ${method} ${path.split('?')[0]} in time` : e.message,
        undefined,
      );
    }
    if (res.status === 401 && this.o.authorization && !retried) {
      // the token expired early or was revoked: one new token, one more try
      await res.body?.cancel();
      this.o.invalidate?.();
      return this.request<T>(method, path, body, headers, true);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      throw new FhirError(
        `${method} ${path.split('?')[0]}: ${res.status} ${outcomeText(json) ?? res.statusText}`,
        res.status,
      );
    }
    const etag = res.headers.get('etag') ?? undefined;
    return { status: res.status, body: json as T, ...(etag ? { etag } : {}) };
  }
}

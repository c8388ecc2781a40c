/**
 * A FHIR R4 server for tests, speaking the real REST and JSON shapes: searchset Bundles with
 * total and paging links, the search parameters the scheduling adapter uses, OperationOutcome
 * errors, versioned resources (ETag W/"n", If-Match → 412), conditional create (If-None-Exist),
 * a 409 for an Appointment on a slot another booked Appointment holds, SMART backend-services
 * tokens when a client is registered, and, in `ihe` mode, the IHE ITI Scheduling operations
 * Appointment/$find, $hold and $book, declared in its CapabilityStatement. Faults are injected:
 * latency, a server that is down (503), failures of the next requests, a slot taken by someone
 * else the moment before it is written.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Bundle,
  CapabilityStatement,
  FhirAppointment,
  FhirPatient,
  FhirResource,
  FhirSchedule,
  FhirSlot,
  OperationOutcome,
  Parameters,
} from '../../../agent/src/records/fhir/resources.ts';
import { dateMatches, refMatches, stringMatches, tokenMatches, type Version } from './search.ts';
import { FakeSmartAuthorizer, type SmartClientRegistration } from './smart-server.ts';

export interface FakeFhirOptions {
  /** offer Appointment/$find, $hold and $book */
  ihe?: boolean;
  /** added before every answer */
  latencyMs?: number;
  /** require SMART backend-services tokens from this client */
  smart?: SmartClientRegistration;
  /** wall clock, ms (token expiry) */
  now?: () => number;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
  status: number;
}

type Stored = Version<FhirSlot> | Version<FhirSchedule> | Version<FhirPatient> | Version<FhirAppointment>;
type Kind = 'Slot' | 'Schedule' | 'Patient' | 'Appointment';

const HOLDING: ReadonlyArray<FhirAppointment['status']> = ['booked', 'pending', 'arrived', 'checked-in'];

export class FakeFhirServer {
  readonly #data = new Map<Kind, Map<string, Stored>>([
    ['Slot', new Map()],
    ['Schedule', new Map()],
    ['Patient', new Map()],
    ['Appointment', new Map()],
  ]);
  readonly seen: SeenRequest[] = [];
  readonly authorizer: FakeSmartAuthorizer | undefined;
  latencyMs: number;
  /** every request answers 503 with an OperationOutcome */
  down = false;
  #failures: Array<{ status: number; match: RegExp }> = [];
  #before: Array<{ match: RegExp; run: () => void }> = [];
  /** runs once before the next write that would take this slot: someone else books it first */
  #stealBeforeWrite = new Map<string, () => void>();
  #server: Server | undefined;
  #seq = 0;
  baseUrl = '';

  constructor(readonly o: FakeFhirOptions = {}) {
    this.latencyMs = o.latencyMs ?? 0;
    this.authorizer = o.smart ? new FakeSmartAuthorizer(o.smart, o.now ?? Date.now) : undefined;
  }

  get tokenUrl(): string {
    return `${this.baseUrl}/auth/token`;
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.baseUrl = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/fhir`;
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  /** the next `times` requests whose "METHOD path" matches answer `status` */
  failNext(status: number, match: RegExp = /./, times = 1): void {
    for (let i = 0; i < times; i++) this.#failures.push({ status, match });
  }

  /** runs `run` once, just before the next request whose "METHOD path" matches is handled (staff editing) */
  before(match: RegExp, run: () => void): void {
    this.#before.push({ match, run });
  }

  /** someone else books the slot starting at `start` just before our write reaches it */
  stealBeforeWrite(start: string): void {
    this.#stealBeforeWrite.set(String(Date.parse(start)), () => this.takeSlot(start));
  }

  // ---- data -------------------------------------------------------------------------------

  put<R extends FhirResource & { id?: string }>(r: R): Version<R & Stored> {
    const kind = r.resourceType as Kind;
    const id = r.id ?? `${kind.toLowerCase()}-${++this.#seq}`;
    const prev = this.#data.get(kind)!.get(id);
    const version = prev ? Number(prev.meta.versionId) + 1 : 1;
    const stored = {
      ...r,
      id,
      meta: { versionId: String(version), lastUpdated: new Date().toISOString() },
    } as unknown as Stored;
    this.#data.get(kind)!.set(id, stored);
    return stored as Version<R & Stored>;
  }

  all<K extends Kind>(kind: K): Array<Extract<Stored, { resourceType: K }>> {
    return [...this.#data.get(kind)!.values()] as Array<Extract<Stored, { resourceType: K }>>;
  }

  get<K extends Kind>(kind: K, id: string): Extract<Stored, { resourceType: K }> | undefined {
    return this.#data.get(kind)!.get(id) as Extract<Stored, { resourceType: K }> | undefined;
  }

  /** a Practitioner's Schedule with free Slots at each start (ISO with offset) lasting `minutes` */
  seedSchedule(o: { id: string; practitioner: string; service?: string; starts: string[]; minutes?: number }): void {
    this.put<FhirSchedule>({
      resourceType: 'Schedule',
      id: o.id,
      active: true,
      actor: [{ reference: `Practitioner/${o.practitioner}` }],
      ...(o.service
        ? { serviceType: [{ coding: [{ system: 'https://voxanne.dev/fhir/service', code: o.service }] }] }
        : {}),
    });
    for (const start of o.starts) {
      const end = new Date(Date.parse(start) + (o.minutes ?? 30) * 60_000);
      this.put<FhirSlot>({
        resourceType: 'Slot',
        schedule: { reference: `Schedule/${o.id}` },
        status: 'free',
        start,
        end: isoWithOffsetOf(start, end),
      });
    }
  }

  /** another patient books the slot starting at `start` (through the back door: the EHR's own UI) */
  takeSlot(start: string): void {
    const slot = this.all('Slot').find((s) => Date.parse(s.start) === Date.parse(start));
    if (!slot) throw new Error(`no slot at ${start}`);
    this.put({ ...slot, status: 'busy' });
    this.put<FhirAppointment>({
      resourceType: 'Appointment',
      status: 'booked',
      start: slot.start,
      end: slot.end,
      slot: [{ reference: `Slot/${slot.id}` }],
      participant: [{ actor: { reference: 'Patient/someone-else' }, status: 'accepted' }],
    });
  }

  /** booked (or held) Appointments per slot id: more than one is a double booking */
  holdersOf(slotId: string): FhirAppointment[] {
    return this.all('Appointment').filter(
      (a) => HOLDING.includes(a.status) && (a.slot ?? []).some((r) => refMatches(r.reference, slotId, 'Slot')),
    );
  }

  capabilityStatement(): CapabilityStatement {
    const ops = this.o.ihe
      ? ['find', 'hold', 'book'].map((n) => ({
          name: n,
          definition: `https://profiles.ihe.net/ITI/Scheduling/OperationDefinition/appointment-${n}`,
        }))
      : [];
    return {
      resourceType: 'CapabilityStatement',
      fhirVersion: '4.0.1',
      rest: [
        {
          mode: 'server',
          resource: [
            { type: 'Slot' },
            { type: 'Schedule' },
            { type: 'Patient' },
            { type: 'Appointment', ...(ops.length ? { operation: ops } : {}) },
          ],
        },
      ],
    };
  }

  // ---- HTTP -------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const url = new URL(req.url!, 'http://x');
    const path = url.pathname.replace(/^\/fhir/, '');
    const seen: SeenRequest = { method: req.method!, path: `${path}${url.search}`, headers: req.headers, status: 0 };
    this.seen.push(seen);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      seen.status = status;
      const text = JSON.stringify(body);
      const ct =
        path === '/auth/token' || path.startsWith('/.well-known') ? 'application/json' : 'application/fhir+json';
      const write = () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': ct, ...headers });
        res.end(text);
      };
      if (this.latencyMs > 0) setTimeout(write, this.latencyMs);
      else write();
    };
    const oo = (status: number, code: string, diagnostics: string) =>
      send(status, outcome(status >= 500 ? 'fatal' : 'error', code, diagnostics));

    if (this.down) return oo(503, 'transient', 'server is down for maintenance');
    const hook = this.#before.findIndex((b) => b.match.test(`${req.method} ${path}`));
    if (hook >= 0) this.#before.splice(hook, 1)[0]!.run();
    const failure = this.#failures.findIndex((f) => f.match.test(`${req.method} ${path}`));
    if (failure >= 0) {
      const f = this.#failures.splice(failure, 1)[0]!;
      return oo(f.status, f.status >= 500 ? 'transient' : 'processing', 'injected failure');
    }
    if (this.authorizer) {
      if (path === '/.well-known/smart-configuration') {
        return send(200, {
          token_endpoint: this.tokenUrl,
          grant_types_supported: ['client_credentials'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
          token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
          scopes_supported: ['system/*.rs', 'system/Appointment.cru', 'system/Patient.cru'],
          capabilities: ['client-confidential-asymmetric'],
        });
      }
      if (path === '/auth/token' && req.method === 'POST') {
        const r = this.authorizer.token(raw, this.tokenUrl);
        return send(r.status, r.body);
      }
      if (!this.authorizer.allows(req.headers.authorization))
        return oo(401, 'login', 'a valid bearer token is required');
    }
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return oo(400, 'structure', 'body is not JSON');
      }
      seen.body = body;
    }
    try {
      this.#route(req.method!, path, url.searchParams, body, req.headers, send, oo);
    } catch (err) {
      oo(500, 'exception', (err as Error).message);
    }
  }

  #route(
    method: string,
    path: string,
    q: URLSearchParams,
    body: unknown,
    headers: IncomingMessage['headers'],
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    oo: (status: number, code: string, diagnostics: string) => void,
  ): void {
    const parts = path.split('/').filter(Boolean);
    const etag = (r: Stored) => ({
      etag: `W/"${r.meta.versionId}"`,
      location: `${this.baseUrl}/${r.resourceType}/${r.id}/_history/${r.meta.versionId}`,
    });
    if (method === 'GET' && path === '/metadata') return send(200, this.capabilityStatement());
    const kind = parts[0] as Kind;
    if (!this.#data.has(kind)) return oo(404, 'not-supported', `unknown resource type ${parts[0] ?? ''}`);

    if (parts[1]?.startsWith('$')) {
      if (kind !== 'Appointment' || !this.o.ihe)
        return oo(404, 'not-supported', `operation ${parts[1]} is not supported`);
      return this.#operation(parts[1], method, q, body as Parameters | undefined, send, oo);
    }
    if (parts.length === 1 && method === 'GET') return send(200, this.#search(kind, q, path));
    if (parts.length === 1 && method === 'POST') {
      const r = body as FhirResource;
      if (r?.resourceType !== kind) return oo(400, 'invalid', `body must be a ${kind}`);
      const ifNone = headers['if-none-exist'];
      if (typeof ifNone === 'string') {
        const existing = matchesOf(this, kind, new URLSearchParams(ifNone));
        if (existing.length === 1) return send(200, existing[0], etag(existing[0]!));
        if (existing.length > 1) return oo(412, 'duplicate', 'If-None-Exist matched more than one');
      }
      if (kind === 'Appointment') {
        const conflict = this.#slotConflict(r as FhirAppointment);
        if (conflict) return oo(409, 'conflict', conflict);
      }
      const stored = this.put({ ...(r as FhirResource & { id?: string }), id: undefined });
      return send(201, stored, etag(stored));
    }
    const id = parts[1]!;
    const current = this.#data.get(kind)!.get(id);
    if (method === 'GET' && parts.length === 2) {
      if (!current) return oo(404, 'not-found', `${kind}/${id} is not known`);
      return send(200, current, etag(current));
    }
    if (method === 'PUT' && parts.length === 2) {
      const r = body as FhirResource & { id?: string };
      if (r?.resourceType !== kind || r.id !== id) return oo(400, 'invalid', `body must be ${kind} with id ${id}`);
      if (!current) return oo(405, 'not-supported', 'update as create is not allowed');
      const ifMatch = headers['if-match'];
      if (typeof ifMatch === 'string' && ifMatch !== `W/"${current.meta.versionId}"`)
        return oo(412, 'conflict', `version conflict: ${kind}/${id} is at version ${current.meta.versionId}`);
      if (kind === 'Slot' && (r as FhirSlot).status !== 'free') {
        const steal = this.#stealBeforeWrite.get(String(Date.parse((r as FhirSlot).start)));
        if (steal) {
          this.#stealBeforeWrite.delete(String(Date.parse((r as FhirSlot).start)));
          steal();
          return oo(412, 'conflict', `version conflict: ${kind}/${id} changed`);
        }
      }
      if (kind === 'Appointment') {
        const conflict = this.#slotConflict(r as FhirAppointment, id);
        if (conflict) return oo(409, 'conflict', conflict);
      }
      const stored = this.put(r);
      return send(200, stored, etag(stored));
    }
    return oo(405, 'not-supported', `${method} ${path} is not supported`);
  }

  /** a booked Appointment must not take a slot another one holds */
  #slotConflict(a: FhirAppointment, selfId?: string): string | undefined {
    if (!HOLDING.includes(a.status)) return undefined;
    for (const ref of a.slot ?? []) {
      const slotId = ref.reference.split('/').pop()!;
      const steal =
        this.get('Slot', slotId) && this.#stealBeforeWrite.get(String(Date.parse(this.get('Slot', slotId)!.start)));
      if (steal) {
        this.#stealBeforeWrite.delete(String(Date.parse(this.get('Slot', slotId)!.start)));
        steal();
      }
      if (this.holdersOf(slotId).some((h) => h.id !== selfId)) return `Slot/${slotId} is already booked`;
    }
    return undefined;
  }

  #search(kind: Kind, q: URLSearchParams, path: string): Bundle {
    const all = matchesOf(this, kind, q);
    const count = Math.min(Number(q.get('_count') ?? 50), 100);
    const offset = Number(q.get('_offset') ?? 0);
    const page = all.slice(offset, offset + count);
    const self = `${this.baseUrl}${path}?${q}`;
    const link = [{ relation: 'self', url: self }];
    if (offset + count < all.length) {
      const next = new URLSearchParams(q);
      next.set('_offset', String(offset + count));
      next.set('_count', String(count));
      link.push({ relation: 'next', url: `${this.baseUrl}${path}?${next}` });
    }
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: all.length,
      link,
      entry: page.map((r) => ({
        fullUrl: `${this.baseUrl}/${r.resourceType}/${r.id}`,
        resource: r,
        search: { mode: 'match' as const },
      })),
    };
  }

  // ---- IHE ITI Scheduling ----------------------------------------------------------------

  #operation(
    op: string,
    method: string,
    q: URLSearchParams,
    p: Parameters | undefined,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
    oo: (status: number, code: string, diagnostics: string) => void,
  ): void {
    if (op === '$find') {
      // GET with search-style parameters, or POST with Parameters (valueString / valueReference)
      const get = (name: string) =>
        method === 'GET'
          ? (q.get(name) ?? undefined)
          : (p?.parameter.find((x) => x.name === name)?.valueString ??
            p?.parameter.find((x) => x.name === name)?.valueReference?.reference);
      const start = get('start');
      const end = get('end');
      if (!start || !end) return oo(400, 'required', '$find needs start and end');
      const practitioner = get('practitioner');
      const schedules = this.all('Schedule').filter(
        (s) => !practitioner || s.actor.some((a) => refMatches(a.reference, practitioner, 'Practitioner')),
      );
      const slots = this.all('Slot')
        .filter(
          (s) =>
            s.status === 'free' &&
            schedules.some((sc) => refMatches(s.schedule.reference, sc.id, 'Schedule')) &&
            Date.parse(s.start) >= Date.parse(start) &&
            Date.parse(s.start) < Date.parse(end),
        )
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      const proposed: FhirAppointment[] = slots.map((s) => {
        const sc = this.get('Schedule', s.schedule.reference.split('/').pop()!)!;
        return {
          resourceType: 'Appointment',
          id: `proposed-${s.id}`,
          status: 'proposed',
          start: s.start,
          end: s.end,
          slot: [{ reference: `Slot/${s.id}` }],
          participant: sc.actor.map((a) => ({ actor: a, required: 'required' as const, status: 'accepted' as const })),
        };
      });
      return send(200, {
        resourceType: 'Bundle',
        type: 'searchset',
        total: proposed.length,
        link: [{ relation: 'self', url: `${this.baseUrl}/Appointment/$find` }],
        entry: proposed.map((a) => ({ resource: a, search: { mode: 'match' } })),
      } satisfies Bundle);
    }
    if (method !== 'POST' || !p || p.resourceType !== 'Parameters')
      return oo(400, 'invalid', `${op} needs a POST of Parameters`);
    const appt = p.parameter.find((x) => x.name === 'appointment-resource')?.resource as FhirAppointment | undefined;
    if (!appt || appt.resourceType !== 'Appointment') return oo(400, 'required', `${op} needs appointment-resource`);
    const existing = appt.id ? this.get('Appointment', appt.id) : undefined;
    const slotIds = (appt.slot ?? []).map((r) => r.reference.split('/').pop()!);
    const free = (slotId: string) => {
      const s = this.get('Slot', slotId);
      if (!s) return false;
      const steal = this.#stealBeforeWrite.get(String(Date.parse(s.start)));
      if (steal) {
        this.#stealBeforeWrite.delete(String(Date.parse(s.start)));
        steal();
      }
      const holders = this.holdersOf(slotId).filter((h) => h.id !== appt.id);
      return (
        holders.length === 0 &&
        (this.get('Slot', slotId)!.status === 'free' || existing?.slot?.some((r) => r.reference === `Slot/${slotId}`))
      );
    };
    if (op === '$hold') {
      if (!slotIds.length || !slotIds.every(free)) return oo(409, 'conflict', 'the appointment is no longer available');
      for (const id of slotIds) this.put({ ...this.get('Slot', id)!, status: 'busy-tentative' });
      const held = this.put<FhirAppointment>({ ...appt, id: undefined, status: 'pending' });
      return send(200, held, { etag: `W/"${held.meta.versionId}"` });
    }
    if (op === '$book') {
      if (appt.status === 'cancelled') {
        if (!existing) return oo(404, 'not-found', `Appointment/${appt.id ?? ''} is not known`);
        for (const r of existing.slot ?? []) {
          const s = this.get('Slot', r.reference.split('/').pop()!);
          if (s) this.put({ ...s, status: 'free' });
        }
        const cancelled = this.put<FhirAppointment>({ ...existing, status: 'cancelled' });
        return send(200, bundleOf(cancelled));
      }
      if (!slotIds.length || !slotIds.every(free)) return oo(409, 'conflict', 'the appointment is no longer available');
      if (!appt.participant.some((x) => x.actor.reference.startsWith('Patient/')))
        return oo(400, 'required', '$book needs a Patient participant');
      // a modification frees the slots the appointment held before
      for (const r of existing?.slot ?? []) {
        if (slotIds.includes(r.reference.split('/').pop()!)) continue;
        const s = this.get('Slot', r.reference.split('/').pop()!);
        if (s) this.put({ ...s, status: 'free' });
      }
      for (const id of slotIds) this.put({ ...this.get('Slot', id)!, status: 'busy' });
      const booked = this.put<FhirAppointment>({ ...appt, status: 'booked' });
      return send(200, bundleOf(booked));
    }
    return oo(404, 'not-supported', `operation ${op} is not supported`);
  }
}

function bundleOf(a: FhirAppointment): Bundle {
  return { resourceType: 'Bundle', type: 'collection', entry: [{ resource: a }] };
}

export function outcome(severity: 'fatal' | 'error', code: string, diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

/** the resources of `kind` that every search parameter in `q` matches (unknown ones are ignored, as servers do) */
function matchesOf(s: FakeFhirServer, kind: Kind, q: URLSearchParams): Stored[] {
  let rs: Stored[] = s.all(kind);
  for (const [name, value] of q) {
    if (name.startsWith('_')) continue;
    rs = rs.filter((r) => paramMatches(r, name, value));
  }
  if (q.get('_sort')?.replace(/^-/, '') === 'start' || q.get('_sort')?.replace(/^-/, '') === 'date')
    rs.sort((a, b) => Date.parse((a as FhirSlot).start) - Date.parse((b as FhirSlot).start));
  return rs;
}

function paramMatches(r: Stored, name: string, value: string): boolean {
  switch (`${r.resourceType}.${name}`) {
    case 'Slot.schedule':
      return refMatches((r as FhirSlot).schedule.reference, value, 'Schedule');
    case 'Slot.start':
    case 'Appointment.date':
      return dateMatches((r as FhirSlot).start, value);
    case 'Slot.status':
    case 'Appointment.status':
      return value.split(',').includes((r as FhirSlot).status);
    case 'Schedule.service-type':
    case 'Appointment.service-type':
      return tokenMatches(
        ((r as FhirSchedule).serviceType ?? []).flatMap((c) => c.coding ?? []),
        value,
      );
    case 'Schedule.actor':
      return (r as FhirSchedule).actor.some((a) => refMatches(a.reference, value, value.split('/')[0]!));
    case 'Patient.identifier':
    case 'Appointment.identifier':
      return tokenMatches((r as FhirPatient).identifier ?? [], value);
    case 'Patient.name': {
      const n = (r as FhirPatient).name ?? [];
      return n.some((x) =>
        stringMatches([...(x.given ?? []), ...(x.family ? [x.family] : []), ...(x.text ? [x.text] : [])], value),
      );
    }
    case 'Patient.birthdate':
      return (r as FhirPatient).birthDate === value.replace(/^eq/, '');
    case 'Patient.telecom':
    case 'Patient.phone':
      return ((r as FhirPatient).telecom ?? []).some((t) => t.value === value.split('|').pop());
    case 'Appointment.patient':
      return (r as FhirAppointment).participant.some((p) => refMatches(p.actor.reference, value, 'Patient'));
    case 'Appointment.practitioner':
      return (r as FhirAppointment).participant.some((p) => refMatches(p.actor.reference, value, 'Practitioner'));
    case 'Appointment.slot':
      return ((r as FhirAppointment).slot ?? []).some((x) => refMatches(x.reference, value, 'Slot'));
    default:
      return true;
  }
}

/** `end` written with the same UTC offset as `start` ("…-08:00"), as the EHR would */
function isoWithOffsetOf(start: string, end: Date): string {
  const m = /([+-]\d{2}):(\d{2})$|Z$/.exec(start);
  if (!m || m[0] === 'Z') return end.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sign = m[1]!.startsWith('-') ? -1 : 1;
  const off = sign * (Math.abs(Number(m[1])) * 60 + Number(m[2]));
  const local = new Date(end.getTime() + off * 60_000).toISOString().slice(0, 19);
  return `${local}${m[0]}`;
}

export async function startFakeFhir(o: FakeFhirOptions = {}): Promise<FakeFhirServer> {
  const f = new FakeFhirServer(o);
  await f.start();
  return f;
}

export const newId = () => randomUUID();

/**
 * The FHIR R4 shapes the scheduling adapter reads and writes (only the fields it uses), and the
 * pure conversions between them and the records' Booking and Slot. Shared with the fake server in
 * test/fakes/fhir, so both sides speak one vocabulary; the shapes follow hl7.org/fhir/R4 and the
 * IHE ITI Scheduling profile (Appointment/$find, $hold, $book).
 */
import type { Booking, Slot } from '../types.ts';

export interface Reference {
  reference: string;
  display?: string;
}
export interface Coding {
  system?: string;
  code: string;
  display?: string;
}
export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
export interface Identifier {
  system?: string;
  value: string;
}
export interface Meta {
  versionId?: string;
  lastUpdated?: string;
}

export interface FhirSlot {
  resourceType: 'Slot';
  id?: string;
  meta?: Meta;
  schedule: Reference;
  status: 'free' | 'busy' | 'busy-unavailable' | 'busy-tentative' | 'entered-in-error';
  start: string;
  end: string;
  serviceType?: CodeableConcept[];
}

export interface FhirSchedule {
  resourceType: 'Schedule';
  id?: string;
  active?: boolean;
  /** Practitioner, PractitionerRole, HealthcareService or Location */
  actor: Reference[];
  serviceType?: CodeableConcept[];
}

export interface HumanName {
  text?: string;
  family?: string;
  given?: string[];
}
export interface ContactPoint {
  system: 'phone' | 'email' | 'sms' | 'other';
  value: string;
  use?: string;
}

export interface FhirPatient {
  resourceType: 'Patient';
  id?: string;
  meta?: Meta;
  identifier?: Identifier[];
  name?: HumanName[];
  telecom?: ContactPoint[];
  /** YYYY-MM-DD */
  birthDate?: string;
}

export interface AppointmentParticipant {
  actor: Reference;
  required?: 'required' | 'optional' | 'information-only';
  status: 'accepted' | 'declined' | 'tentative' | 'needs-action';
}

export type AppointmentStatus =
  | 'proposed'
  | 'pending'
  | 'booked'
  | 'arrived'
  | 'fulfilled'
  | 'cancelled'
  | 'noshow'
  | 'entered-in-error'
  | 'checked-in'
  | 'waitlist';

export interface FhirAppointment {
  resourceType: 'Appointment';
  id?: string;
  meta?: Meta;
  identifier?: Identifier[];
  status: AppointmentStatus;
  serviceType?: CodeableConcept[];
  start?: string;
  end?: string;
  slot?: Reference[];
  participant: AppointmentParticipant[];
  comment?: string;
  cancelationReason?: CodeableConcept;
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: Array<{ severity: 'fatal' | 'error' | 'warning' | 'information'; code: string; diagnostics?: string }>;
}

export type FhirResource = FhirSlot | FhirSchedule | FhirPatient | FhirAppointment | OperationOutcome;

export interface Bundle<R = FhirResource> {
  resourceType: 'Bundle';
  type: 'searchset' | 'transaction-response' | 'collection';
  total?: number;
  link?: Array<{ relation: string; url: string }>;
  entry?: Array<{ fullUrl?: string; resource?: R; search?: { mode: 'match' | 'include' | 'outcome' } }>;
}

export interface Parameters {
  resourceType: 'Parameters';
  parameter: Array<{ name: string; resource?: FhirResource; valueReference?: Reference; valueString?: string }>;
}

export interface CapabilityStatement {
  resourceType: 'CapabilityStatement';
  fhirVersion: string;
  rest?: Array<{
    mode: 'server' | 'client';
    resource?: Array<{ type: string; operation?: Array<{ name: string; definition: string }> }>;
    operation?: Array<{ name: string; definition: string }>;
  }>;
}

/** how Voxanne marks what it wrote, so it can find it again and a retried create stays one */
export const SERVICE_SYSTEM = 'https://voxanne.dev/fhir/service';
export const BOOKING_ID_SYSTEM = 'https://voxanne.dev/fhir/booking';

/** Which IHE ITI Scheduling operations the server's CapabilityStatement offers on Appointment. */
export function iheOperations(cs: CapabilityStatement): { find: boolean; hold: boolean; book: boolean } {
  const names = new Set<string>();
  for (const rest of cs.rest ?? []) {
    if (rest.mode !== 'server') continue;
    for (const op of rest.operation ?? []) names.add(op.name.replace(/^\$/, ''));
    for (const r of rest.resource ?? [])
      if (r.type === 'Appointment') for (const op of r.operation ?? []) names.add(op.name.replace(/^\$/, ''));
  }
  return { find: names.has('find'), hold: names.has('hold'), book: names.has('book') };
}

/** The resources of a searchset Bundle that matched (not the _include'd or an OperationOutcome). */
export function matches<R extends FhirResource>(b: Bundle, type: R['resourceType']): R[] {
  return (b.entry ?? [])
    .filter((e) => e.search?.mode !== 'include' && e.resource?.resourceType === type)
    .map((e) => e.resource as R);
}

export function outcomeText(body: unknown): string | undefined {
  const o = body as Partial<OperationOutcome> | undefined;
  if (o?.resourceType !== 'OperationOutcome' || !Array.isArray(o.issue)) return undefined;
  return o.issue.map((i) => i.diagnostics ?? i.code).join('; ');
}

export const toSlot = (s: { start?: string; end?: string }): Slot => ({ startsAt: s.start!, endsAt: s.end! });

export function patientName(p: FhirPatient | undefined): string {
  const n = p?.name?.[0];
  if (!n) return '';
  return n.text ?? [...(n.given ?? []), n.family].filter(Boolean).join(' ');
}

/** "Sarah Jane Jones" → given [Sarah, Jane], family Jones */
export function humanName(full: string): HumanName {
  const parts = full.trim().split(/\s+/);
  const family = parts.length > 1 ? parts.pop()! : undefined;
  return { text: full.trim(), ...(family ? { family } : {}), given: parts };
}

export function phoneOf(p: FhirPatient | undefined): string {
  return p?.telecom?.find((t) => t.system === 'phone')?.value ?? '';
}

export function serviceOf(a: { serviceType?: CodeableConcept[] }): string | undefined {
  for (const c of a.serviceType ?? []) for (const x of c.coding ?? []) if (x.system === SERVICE_SYSTEM) return x.code;
  return undefined;
}

export const serviceType = (service: string): CodeableConcept[] => [
  { coding: [{ system: SERVICE_SYSTEM, code: service }], text: service },
];

export const refId = (ref: string | undefined, type: string): string | undefined => {
  const m = ref ? new RegExp(`(?:^|/)${type}/([^/]+)(?:/_history/[^/]+)?$`).exec(ref) : null;
  return m?.[1];
};

export function participantOf(a: FhirAppointment, type: string): string | undefined {
  return a.participant.map((p) => refId(p.actor.reference, type)).find((x) => x !== undefined);
}

/** An Appointment as the booking tools know a booking (tenant and call id are Voxanne's). */
export function toBooking(a: FhirAppointment, patient: FhirPatient | undefined, tenant: string): Booking {
  return {
    id: a.id!,
    tenant,
    callId: null,
    name: patientName(patient),
    phone: phoneOf(patient),
    service: serviceOf(a) ?? '',
    startsAt: a.start!,
    endsAt: a.end!,
    status: a.status === 'cancelled' ? 'cancelled' : 'booked',
  };
}

/**
 * What a call needs from the clinic beyond the engines: its tenant and configuration (name,
 * greeting, style, knowledge base — from the web server when VOXANNE_RECORDS_URL is set, else
 * clinic.yaml), the appointment tools over the records API, the call recorder, and the after-call
 * summary. main.ts calls prepareCall() once per call and hands the result to CallSession.
 */
import { llm } from '@livekit/agents';
import { BOOKING_TOOLS } from '../core/booking-tools.ts';
import { extractiveSummary, type CallSummary, type SummaryItem } from '../core/call-summary.ts';
import { humanize } from '../core/humanizer/index.ts';
import { buildInstructions, instructionRules } from '../core/instructions.ts';
import { instructionLeakGuard } from '../core/safety.ts';
import { describeDate, localParts } from '../core/text/calendar.ts';
import { transcriptForSummary } from '../engines/groq/summarize.ts';
import { RulesLLM } from '../engines/rules/rules-llm.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { knowledgeBaseSchema } from '@voxanne/contracts/knowledge-base';
import { type FrontDeskMessage, messageText, runBookingTool } from '../records/booking-tools.ts';
import { createFhirScheduling, FhirError, type SmartKey } from '../records/fhir/index.ts';
import { RecordsClient, type Signer } from '../records/http-client.ts';
import { signRecordsRequest } from '@voxanne/contracts/signature';
import { fetchTenantConfig, HttpBookingStore, HttpCallRecorder } from '../records/http-records.ts';
import type { BookingStore, CallRecorder } from '../records/types.ts';
import type { Engines } from '../engines/types.ts';
import type { Logger } from './logger.ts';
import type { ReplyTools } from './llm-text.ts';
import { systemClock } from './system-clock.ts';

/** The records API's signature (RECORDS-API.md), the one implementation the web server verifies with. */
export const contractSigner: Signer = signRecordsRequest;

export interface RecordsSettings {
  VOXANNE_RECORDS_URL?: string | undefined;
  VOXANNE_TENANT: string;
  /** the internal records API's own key (never LiveKit's secret) */
  RECORDS_API_KEY: string;
}

export function createRecordsClient(
  s: RecordsSettings,
  sign: Signer = contractSigner,
  o: { fetch?: typeof fetch } = {},
): RecordsClient | undefined {
  if (!s.VOXANNE_RECORDS_URL) return undefined;
  return new RecordsClient({ baseUrl: s.VOXANNE_RECORDS_URL, secret: s.RECORDS_API_KEY, sign, ...o });
}

/** The tenant named in the room metadata ({"tenant":"riverside"}), else the configured default. */
export function tenantOf(roomMetadata: string | undefined, fallback: string): string {
  if (!roomMetadata) return fallback;
  try {
    const t = (JSON.parse(roomMetadata) as { tenant?: unknown }).tenant;
    return typeof t === 'string' && /^[a-z0-9-]+$/.test(t) ? t : fallback;
  } catch {
    return fallback; // metadata set by something else: not ours to interpret
  }
}

export interface PreparedCall {
  tenant: string;
  kb: KnowledgeBase;
  engines: Engines;
  instructions: string;
  /** set when the tenant's greeting differs from the one synthesised at start */
  greeting?: string;
  tools?: ReplyTools;
  recorder?: CallRecorder;
  /** the output guard for her replies */
  guard: (sentence: string) => boolean;
  /** the clinic's silence before a prompt, when its configuration sets one */
  silenceTimeoutMs?: number;
  /** the clinic's configured voice (logged; the TTS keeps the voice it was started with) */
  voice: string;
  summarize(items: SummaryItem[], callerName: string | undefined): Promise<CallSummary>;
}

export interface PrepareCallOptions {
  kb: KnowledgeBase;
  engines: Engines;
  callId: string;
  roomMetadata?: string;
  settings: RecordsSettings;
  client?: RecordsClient;
  /** a store to use instead of the records API (tests, the naturalness suite) */
  store?: BookingStore;
  /** the agent's SMART backend-services key, for clinics whose scheduling is FHIR (FHIR_PRIVATE_KEY_FILE) */
  fhirKey?: SmartKey;
  /** fetch for the FHIR client (tests) */
  fhirFetch?: typeof fetch;
  /** FHIR_ALLOWED_ORIGINS: the origins a clinic's FHIR settings may name (unset: any secure URL) */
  fhirAllowedOrigins?: readonly string[] | undefined;
  logger: Logger;
  now?: () => Date;
  /** the LLM summary; the extractive one stands in when it is absent or fails */
  llmSummary?: (transcript: string) => Promise<string>;
  /** the greeting already synthesised at start (humanized) */
  greeting: string;
  /** the number a phone call comes from (E.164), known once the caller joins; for identity checks only */
  callerPhone?: () => string | undefined;
}

/** The caller's latest words in the conversation: writes need their "yes". */
export function lastCallerText(chat: llm.ChatContext): string {
  for (let i = chat.items.length - 1; i >= 0; i--) {
    const item = chat.items[i]!;
    if (item.type === 'message' && item.role === 'user') return item.textContent ?? '';
  }
  return '';
}

/** What she said just before the caller's latest words: where the read-back must be. */
export function lastAgentText(chat: llm.ChatContext): string {
  let seenUser = false;
  for (let i = chat.items.length - 1; i >= 0; i--) {
    const item = chat.items[i]!;
    if (item.type !== 'message') continue;
    if (item.role === 'user') seenUser = true;
    else if (item.role === 'assistant' && seenUser) return item.textContent ?? '';
  }
  return '';
}

export function bookingTools(o: {
  kb: KnowledgeBase;
  store: BookingStore;
  callId: string;
  now: () => Date;
  /** where a message for the front desk goes when the booking system is down */
  takeMessage?: (m: FrontDeskMessage) => Promise<void>;
  /** the number a phone call comes from (E.164), once the caller has joined; never given to a model */
  callerPhone?: () => string | undefined;
}): ReplyTools {
  // the bookings this caller proved theirs, for the whole call (core/identity.ts)
  const verified = new Set<string>();
  const defs = BOOKING_TOOLS.map((t) =>
    llm.tool({
      name: t.name,
      description: t.description,
      parameters: t.parameters as never,
      // run by the reply pipeline (ReplyTools.run), not by the agents framework
      execute: async () => {
        throw new Error('booking tools are run by the reply pipeline');
      },
    }),
  );
  return {
    toolCtx: new llm.ToolContext(defs),
    run: async (name, args, chat) =>
      JSON.stringify(
        await runBookingTool(name, args, {
          kb: o.kb,
          store: o.store,
          callId: o.callId,
          now: o.now,
          lastCallerText: () => lastCallerText(chat),
          lastAgentText: () => lastAgentText(chat),
          ...(o.takeMessage ? { takeMessage: o.takeMessage } : {}),
          verified,
          ...(o.callerPhone ? { callerPhone: o.callerPhone } : {}),
        }),
      ),
  };
}

export async function prepareCall(o: PrepareCallOptions): Promise<PreparedCall> {
  const now = o.now ?? (() => new Date(systemClock.wallMs()));
  const tenant = tenantOf(o.roomMetadata, o.settings.VOXANNE_TENANT);
  let kb = o.kb;
  let style: string | undefined;
  let greeting: string | undefined;
  let silenceTimeoutMs: number | undefined;
  if (o.client) {
    try {
      const cfg = await fetchTenantConfig(o.client, tenant);
      const parsed = knowledgeBaseSchema.safeParse(cfg.knowledgeBase);
      if (parsed.success) kb = parsed.data;
      else
        o.logger.warn(
          { tenant, problems: parsed.error.issues.slice(0, 3) },
          'tenant knowledge base invalid; using clinic.yaml',
        );
      kb = {
        ...kb,
        agent: {
          name: cfg.agentName || kb.agent.name,
          greeting: cfg.greeting || kb.agent.greeting,
          voice: cfg.voice || kb.agent.voice,
        },
      };
      style = cfg.instructions || undefined;
      if (Number.isInteger(cfg.silenceTimeoutMs) && cfg.silenceTimeoutMs >= 1000)
        silenceTimeoutMs = cfg.silenceTimeoutMs;
    } catch (err) {
      o.logger.warn({ tenant, err: (err as Error).message }, 'tenant configuration unavailable; using clinic.yaml');
    }
  }
  // the greeting made at start is the humanized clinic.yaml one; a different one is said live
  if (humanize(kb.agent.greeting, { kind: 'line' }) !== o.greeting) greeting = kb.agent.greeting;
  o.logger.info(
    { tenant, agentName: kb.agent.name, voice: kb.agent.voice, fromRecords: kb !== o.kb },
    'clinic configuration',
  );
  // the offline brain answers from this tenant's knowledge base
  const engines = kb === o.kb ? o.engines : withKnowledgeBase(o.engines, kb);
  const store = o.store ?? schedulingStore(o, kb, tenant, now);
  const recorder = o.client ? new HttpCallRecorder(o.client, o.logger) : undefined;
  // a message for the front desk is a flag on the call's records, shown to staff with the call
  const takeMessage = recorder
    ? async (m: FrontDeskMessage) => {
        recorder.state(o.callId, { state: 'CALLBACK', at: now().toISOString(), reason: messageText(m) });
        o.logger.info({ tenant, pii: { name: m.name, phone: m.phone } }, 'message for the front desk stored');
      }
    : undefined;
  const tools = store
    ? bookingTools({
        kb,
        store,
        callId: o.callId,
        now,
        ...(takeMessage ? { takeMessage } : {}),
        ...(o.callerPhone ? { callerPhone: o.callerPhone } : {}),
      })
    : undefined;
  const today = describeDate(localParts(now(), kb.clinic.timezone).date, '');
  const instructions = buildInstructions(kb, { booking: tools !== undefined, today, ...(style ? { style } : {}) });
  const guard = instructionLeakGuard(
    instructionRules(kb, { booking: tools !== undefined, ...(style ? { style } : {}) }),
  );
  return {
    tenant,
    kb,
    engines,
    instructions,
    ...(greeting ? { greeting } : {}),
    ...(tools ? { tools } : {}),
    ...(recorder ? { recorder } : {}),
    guard,
    voice: kb.agent.voice,
    ...(silenceTimeoutMs ? { silenceTimeoutMs } : {}),
    summarize: async (items, callerName) => {
      const extractive = extractiveSummary(kb, items, callerName);
      if (!o.llmSummary || extractive.outcome === 'no-conversation') return extractive;
      try {
        return { ...extractive, summary: await o.llmSummary(transcriptForSummary(items)) };
      } catch (err) {
        o.logger.warn({ err: (err as Error).message }, 'LLM summary failed; keeping the extractive one');
        return extractive;
      }
    },
  };
}

/**
 * Where this clinic's appointments are booked: its EHR over FHIR when its settings say so
 * (scheduling.system: fhir), else the built-in calendar behind the records API (absent without it).
 * A FHIR clinic whose client cannot be built (no key, or settings naming an origin outside
 * FHIR_ALLOWED_ORIGINS) gets a store that fails every call, so she takes a message rather than
 * booking into a calendar the clinic does not read.
 */
function schedulingStore(
  o: PrepareCallOptions,
  kb: KnowledgeBase,
  tenant: string,
  now: () => Date,
): BookingStore | undefined {
  const s = kb.scheduling;
  if (s?.system !== 'fhir' || !s.fhir) return o.client ? new HttpBookingStore(o.client, tenant) : undefined;
  try {
    const { store } = createFhirScheduling({
      settings: s.fhir,
      kb,
      tenant,
      now,
      ...(o.fhirKey ? { key: o.fhirKey } : {}),
      ...(o.fhirFetch ? { fetch: o.fhirFetch } : {}),
      allowedOrigins: o.fhirAllowedOrigins,
    });
    o.logger.info({ tenant, baseUrl: s.fhir.baseUrl, auth: s.fhir.auth }, 'scheduling over FHIR');
    return store;
  } catch (err) {
    o.logger.error({ tenant, err: (err as Error).message }, 'FHIR scheduling not usable; taking messages instead');
    const refuse = async (): Promise<never> => {
      throw err instanceof FhirError ? err : new FhirError((err as Error).message, undefined);
    };
    return { availability: refuse, book: refuse, findByPhone: refuse, reschedule: refuse, cancel: refuse };
  }
}

function withKnowledgeBase(e: Engines, kb: KnowledgeBase): Engines {
  const swap = (m: llm.LLM) => (m instanceof RulesLLM ? new RulesLLM({ kb }) : m);
  return { ...e, llm: swap(e.llm), ...(e.fallback ? { fallback: { ...e.fallback, llm: swap(e.fallback.llm) } } : {}) };
}

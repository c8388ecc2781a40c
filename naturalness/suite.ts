/**
 * Runs every scenario through the real text path of a call (the brain with the appointment tools,
 * the humanizer, the output guard; text-conversation.ts) and checks every reply.
 */
import type { llm } from '@livekit/agents';
import { bookingTools } from '../agent/src/call/clinic-services.ts';
import { emergencyRule } from '../agent/src/core/emergency.ts';
import { TextConversation } from '../agent/src/call/text-conversation.ts';
import { extractCallerName } from '../agent/src/core/humanizer/index.ts';
import { buildInstructions, instructionRules } from '../agent/src/core/instructions.ts';
import { instructionLeakGuard } from '../agent/src/core/safety.ts';
import { describeDate, localParts } from '../agent/src/core/text/calendar.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { MemoryRecords } from '../agent/src/records/memory-records.ts';
import { type BookingStore, RecordsError } from '../agent/src/records/types.ts';
import { checkReply, CHECK_NAMES, type CheckResult, type ReplyContext } from './checks.ts';
import { spokenNumbers } from './spoken-values.ts';
import { SCENARIO_NOW, SCENARIOS, type Scenario } from './scenarios.ts';

export interface TurnReport {
  caller: string;
  reply: string;
  raw: string;
  checks: CheckResult[];
}

export interface ScenarioReport {
  id: string;
  title: string;
  turns: TurnReport[];
  passed: boolean;
  error?: string;
}

export interface SuiteReport {
  engine: 'offline' | 'groq';
  model: string;
  pass_rate: number;
  scenarios: number;
  replies: number;
  checks: number;
  failed_checks: number;
  by_check: Record<string, { passed: number; total: number }>;
  scenario_list: Array<{ id: string; title: string; passed: boolean }>;
  results: ScenarioReport[];
  ran_at: string;
}

/** Facts the tools gave in this conversation: slot times and day numbers may be said. */
function collectToolFacts(kb: KnowledgeBase, results: unknown[], into: ReplyContext['toolFacts']): void {
  const text = JSON.stringify(results);
  for (const m of text.matchAll(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}/g)) {
    const p = localParts(new Date(m[0]), kb.clinic.timezone);
    into.times.add(p.time);
    into.numbers.add(Number(p.date.slice(8, 10)));
  }
  for (const m of text.matchAll(/"date":"(\d{4}-\d{2}-(\d{2}))"/g)) into.numbers.add(Number(m[2]));
}

/** a booking system that does not answer, as the FHIR client reports it (records/fhir/client.ts) */
function unreachableStore(): BookingStore {
  const refuse = () => Promise.reject(new RecordsError('connect ECONNREFUSED', undefined, true));
  return { availability: refuse, book: refuse, findByPhone: refuse, reschedule: refuse, cancel: refuse };
}

export async function runScenario(kb: KnowledgeBase, model: llm.LLM, s: Scenario): Promise<ScenarioReport> {
  const now = () => SCENARIO_NOW;
  const memory = new MemoryRecords(kb, now);
  for (const b of s.seed ?? []) await memory.book(b);
  const store = s.bookingSystemDown ? unreachableStore() : memory;
  const conv = new TextConversation({
    model,
    instructions: buildInstructions(kb, {
      booking: true,
      today: describeDate(localParts(SCENARIO_NOW, kb.clinic.timezone).date, ''),
    }),
    tools: bookingTools({
      kb,
      store,
      callId: `naturalness-${s.id}`,
      now,
      takeMessage: async () => {},
      ...(s.callerPhone ? { callerPhone: () => s.callerPhone } : {}),
    }),
    guard: instructionLeakGuard(instructionRules(kb, { booking: true })),
    // the live call's emergency layer, before the model (core/emergency.ts)
    emergency: emergencyRule(kb),
  });
  const facts: ReplyContext['toolFacts'] = { times: new Set(), numbers: new Set() };
  const turns: TurnReport[] = [];
  try {
    for (const caller of s.turns) {
      // what the caller said may be said back to them ("I have March fourth, nineteen eighty five")
      for (const v of spokenNumbers(caller)) facts.numbers.add(v);
      const t = await conv.say(caller);
      collectToolFacts(
        kb,
        t.tools.map((x) => x.result),
        facts,
      );
      const name = conv.names.name?.first;
      const justGiven = extractCallerName(caller) !== undefined;
      const checks = checkReply(t.reply, {
        kb,
        ...(name ? { callerName: name } : {}),
        nameJustGiven: justGiven,
        toolFacts: facts,
      });
      turns.push({ caller, reply: t.reply, raw: t.raw, checks });
    }
  } catch (err) {
    return { id: s.id, title: s.title, turns, passed: false, error: (err as Error).message };
  }
  return { id: s.id, title: s.title, turns, passed: turns.every((t) => t.checks.every((c) => c.pass)) };
}

export async function runSuite(
  kb: KnowledgeBase,
  model: llm.LLM,
  engine: SuiteReport['engine'],
  scenarios = SCENARIOS,
): Promise<SuiteReport> {
  const results: ScenarioReport[] = [];
  for (const s of scenarios) results.push(await runScenario(kb, model, s));
  const byCheck = Object.fromEntries(CHECK_NAMES.map((n) => [n, { passed: 0, total: 0 }])) as SuiteReport['by_check'];
  let total = 0;
  let failed = 0;
  for (const r of results) {
    for (const t of r.turns) {
      for (const c of t.checks) {
        total++;
        byCheck[c.check]!.total++;
        if (c.pass) byCheck[c.check]!.passed++;
        else failed++;
      }
    }
    // a scenario that crashed counts every check it did not get to as failed
    if (r.error) {
      const missing = (scenarios.find((s) => s.id === r.id)!.turns.length - r.turns.length) * CHECK_NAMES.length;
      total += missing;
      failed += missing;
    }
  }
  return {
    engine,
    model: model.model,
    pass_rate: total === 0 ? 0 : Math.round(((total - failed) / total) * 10_000) / 10_000,
    scenarios: results.length,
    replies: results.reduce((n, r) => n + r.turns.length, 0),
    checks: total,
    failed_checks: failed,
    by_check: byCheck,
    scenario_list: results.map((r) => ({ id: r.id, title: r.title, passed: r.passed })),
    results,
    ran_at: new Date().toISOString(),
  };
}

/** The report as the console shows it: every reply, every check, the pass rate. */
export function formatReport(r: SuiteReport): string {
  const lines: string[] = [`VOXANNE NATURALNESS SUITE — engine: ${r.engine} (${r.model})`, ''];
  r.results.forEach((s, i) => {
    lines.push(`Scenario ${i + 1}/${r.scenarios}: ${s.title} [${s.id}]`);
    for (const t of s.turns) {
      lines.push(`  Caller: ${t.caller}`);
      lines.push(`  Voxanne: ${t.reply}`);
      for (const c of t.checks) lines.push(`    ${c.pass ? 'PASS' : 'FAIL'} | ${c.check}: ${c.detail}`);
    }
    if (s.error) lines.push(`  ERROR: ${s.error}`);
    lines.push('');
  });
  for (const [name, v] of Object.entries(r.by_check)) lines.push(`${name.padEnd(20)} ${v.passed}/${v.total}`);
  lines.push(
    `Pass rate: ${(r.pass_rate * 100).toFixed(1)}% ` +
      `(${r.checks - r.failed_checks}/${r.checks} checks, ${r.replies} replies, ${r.scenarios} scenarios)`,
  );
  return lines.join('\n');
}

/** The README's benchmark table, made from bench/results/latest.json (never typed in). Pure. */

const PIPELINES = ['voxanne', 'stock', 'stock-tuned', 'sip'] as const;
const START = '<!-- bench-table: made by npm run bench from bench/results/latest.json -->';
const END = '<!-- /bench-table -->';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});

function triple(v: unknown): string {
  const p = obj(v);
  return typeof p.p50 === 'number' && Number.isFinite(p.p50) ? `${p.p50} / ${p.p95} / ${p.p99}` : '—';
}

function rate(r: Json): string {
  const h = obj(r.hesitant);
  if (typeof r.premature_reply_rate !== 'number' || typeof h.n !== 'number' || !h.n) return '—';
  return `${Math.round(r.premature_reply_rate * 100)}% (${String(h.premature)} of ${h.n})`;
}

function load(r: Json): string {
  const l = obj(r.load_average);
  const first = (x: unknown) => (Array.isArray(x) && typeof x[0] === 'number' ? x[0].toFixed(1) : '?');
  return l.start ? `${first(l.start)} → ${first(l.end)}` : '—';
}

/** the timeline's steps shown, in the order they happen */
const STEPS = [
  ['barge_in_ms', 'onset_to_duck', 'barge-in step: caller onset → her voice paused (agent)'],
  ['barge_in_ms', 'duck_to_silence_at_caller', 'barge-in step: paused → silent at the caller'],
  ['barge_in_ms', 'onset_to_vad', 'barge-in step: caller onset → VAD confirms'],
  ['greeting_ms', 'join_to_agent_sees_caller', 'greeting step: caller joined → agent sees the caller'],
  ['greeting_ms', 'gate', 'greeting step: → caller subscribed to her voice (gate opens)'],
  ['greeting_ms', 'first_frame_out', 'greeting step: → first greeting frame written'],
  ['greeting_ms', 'out_to_heard', 'greeting step: → first audible frame at the caller'],
] as const;

/** The table (markdown) for the pipelines latest.json holds, with the jitter profile's rows. */
export function benchTable(latest: Json): string {
  const names = PIPELINES.filter((n) => latest[n] !== undefined);
  const jitter = obj(latest.jitter);
  const jNames = PIPELINES.filter((n) => jitter[n] !== undefined);
  const head = `| metric (ms) | ${names.map((n) => `${n} p50 / p95 / p99`).join(' | ')} | target (voxanne) |`;
  const sep = `| --- | ${names.map(() => '---').join(' | ')} | --- |`;
  const row = (label: string, cell: (r: Json) => string, target: string) =>
    `| ${label} | ${names.map((n) => cell(obj(latest[n]))).join(' | ')} | ${target} |`;
  const lines = [
    head,
    sep,
    row('voice-to-voice, fluent questions', (r) => triple(r.v2v_ms), 'p95 ≤ 450'),
    row('voice-to-voice, hesitant questions (after the last word)', (r) => triple(obj(r.hesitant).v2v_ms), ''),
    row('premature replies (hesitant questions)', rate, '≤ 5%, below both peers'),
    row('barge-in', (r) => triple(r.barge_in_ms), 'p95 ≤ 100 (web), ≤ 200 (SIP)'),
    row('greeting (after joining)', (r) => triple(r.greeting_ms), 'p95 ≤ 300'),
    row('overhead (v2v − provider budget)', (r) => triple(r.overhead_ms), ''),
    row('load average (1 min) during the calls', load, ''),
  ];
  // where the greeting's and the barge-in's time went (bench/lib/timeline.ts), for pipelines that log it
  for (const [what, step, label] of STEPS)
    if (names.some((n) => obj(obj(obj(latest[n]).timeline)[what])[step] !== undefined))
      lines.push(row(label, (r) => triple(obj(obj(r.timeline)[what])[step]), ''));
  if (jNames.length) {
    const j = (label: string, cell: (r: Json) => string) =>
      `| ${label} | ${names.map((n) => (jitter[n] === undefined ? '—' : cell(obj(jitter[n])))).join(' | ')} | |`;
    lines.push(
      j('**jitter profile**: voice-to-voice, fluent', (r) => triple(r.v2v_ms)),
      j('jitter: voice-to-voice, hesitant', (r) => triple(obj(r.hesitant).v2v_ms)),
      j('jitter: premature replies', rate),
      j('jitter: barge-in', (r) => triple(r.barge_in_ms)),
      j('jitter: load average', load),
    );
  }
  const settings = obj(latest.settings);
  const budget = typeof latest.provider_budget_ms === 'number' ? latest.provider_budget_ms : '?';
  lines.push(
    '',
    `Provider budget ${budget} ms (Deepgram endpointing ${String(settings.deepgram_endpointing_ms ?? '?')} ms — ` +
      `the shipped default — + final ${String(settings.stt_final_after_endpointing_ms ?? '?')}, ` +
      `LLM first token ${String(settings.llm_first_token_ms ?? '?')}, ` +
      `TTS first byte ${String(settings.tts_first_byte_ms ?? '?')}); ` +
      `${String(latest.calls ?? '?')} calls per pipeline` +
      `${jNames.length ? `, ${String(jitter.calls ?? '?')} per pipeline under jitter` : ''}; ` +
      `measured ${String(latest.measured_at ?? '?')}. ` +
      `Every agent on its shipped defaults; stock-tuned: ${String(settings['stock-tuned'] ?? '?')}.`,
  );
  return lines.join('\n');
}

/** The README with its table replaced (undefined when it has no table markers). */
export function replaceBenchTable(readme: string, table: string): string | undefined {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) return undefined;
  return `${readme.slice(0, a + START.length)}\n\n${table}\n\n${readme.slice(b)}`;
}

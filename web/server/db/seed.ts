/**
 * First-run data: a clinic and its owner (db:init), and the demo clinic `riverside` with an owner,
 * a staff user and a week of sample calls (npm start on an empty database). The sample calls are
 * written with the same functions the internal API uses, so the dashboard shows what real calls
 * would produce.
 */
import { readFile } from 'node:fs/promises';
import { addDaysToDate, localParts } from '@voxanne/contracts/calendar';
import { book, BookingError, slotsOn } from './bookings.ts';
import { addState, addTurn, endCall, startCall } from './calls.ts';
import type { Db } from './db.ts';
import { createTenant, createUser, parseKnowledgeBase, tenantBySlug, type Tenant } from './tenants.ts';

export const DEMO = {
  slug: 'riverside',
  ownerEmail: 'demo@voxanne.local',
  staffEmail: 'staff@voxanne.local',
  /** documented in the README; a demo, not a secret */
  password: 'voxanne-demo',
} as const;

export async function initClinic(
  db: Db,
  o: {
    kbPath: string;
    slug: string;
    name?: string | undefined;
    owner?: { email: string; password: string; name?: string | undefined };
  },
): Promise<Tenant> {
  const yamlText = await readFile(o.kbPath, 'utf8');
  const kb = parseKnowledgeBase(yamlText);
  if (!kb.ok) throw new Error(`${o.kbPath}: ${kb.error}`);
  if (await tenantBySlug(db, o.slug)) throw new Error(`a clinic with slug "${o.slug}" already exists`);
  return db.transaction(async (tx) => {
    const t = await createTenant(tx, { slug: o.slug, name: o.name ?? kb.kb.clinic.name, knowledgeBaseYaml: yamlText });
    if (o.owner)
      await createUser(tx, {
        tenantId: t.id,
        email: o.owner.email,
        name: o.owner.name ?? 'Owner',
        role: 'owner',
        password: o.owner.password,
      });
    return t;
  });
}

/** a small deterministic generator: the demo looks the same on every machine */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const SCRIPTS: {
  outcome: string;
  status: 'completed' | 'abandoned' | 'transferred';
  books: boolean;
  lines: ['caller' | 'agent', string][];
}[] = [
  {
    outcome: 'booked a consultation',
    status: 'completed',
    books: true,
    lines: [
      ['caller', 'Hi, I would like to book a consultation for a rhinoplasty.'],
      ['agent', 'Of course! I have Tuesday at ten a m. Does that work for you?'],
      ['caller', 'Yes, that works.'],
      ['agent', "You're booked for Tuesday at ten a m. We'll see you then!"],
    ],
  },
  {
    outcome: 'asked about prices',
    status: 'completed',
    books: false,
    lines: [
      ['caller', 'How much is a tummy tuck?'],
      ['agent', 'A tummy tuck is eight thousand to thirteen thousand dollars. Would you like a consultation?'],
      ['caller', 'Not yet, thanks.'],
      ['agent', 'No problem. Call us anytime!'],
    ],
  },
  {
    outcome: 'asked about recovery',
    status: 'completed',
    books: false,
    lines: [
      ['caller', 'How long is recovery for liposuction?'],
      ['agent', 'Recovery is about one week. Most people are back at work soon after.'],
      ['caller', 'Great, thank you.'],
      ['agent', "You're welcome. Have a lovely day!"],
    ],
  },
  {
    outcome: 'asked for a person',
    status: 'transferred',
    books: false,
    lines: [
      ['caller', 'Can I talk to someone at the front desk?'],
      ['agent', "Sure, I'm connecting you now."],
    ],
  },
  { outcome: 'hung up during the greeting', status: 'abandoned', books: false, lines: [] },
];

export async function seedDemo(db: Db, kbPath: string, now = new Date()): Promise<Tenant> {
  const t = await initClinic(db, {
    kbPath,
    slug: DEMO.slug,
    owner: { email: DEMO.ownerEmail, password: DEMO.password, name: 'Dana Reyes' },
  });
  await createUser(db, {
    tenantId: t.id,
    email: DEMO.staffEmail,
    name: 'Sam Ortiz',
    role: 'staff',
    password: DEMO.password,
  });
  const kb = parseKnowledgeBase(await readFile(kbPath, 'utf8'));
  if (!kb.ok) throw new Error(kb.error);
  const random = rng(6);
  const tz = kb.kb.clinic.timezone;
  const today = localParts(now, tz).date;
  for (let i = 0; i < 30; i++) {
    const startedAt = new Date(now.getTime() - (i * 4.6 + random() * 3 + 0.5) * 3600_000);
    const script = SCRIPTS[i % 5 === 4 ? 4 : Math.floor(random() * 4)]!;
    const callId = `demo-${String(i + 1).padStart(2, '0')}`;
    const phone = `+1619555${String(1000 + Math.floor(random() * 9000))}`;
    const offline = i % 3 === 0;
    let at = startedAt.getTime();
    const stamp = (ms: number) => new Date((at += ms)).toISOString();
    let event = 0;
    await startCall(db, t.id, {
      callId,
      room: `call-${callId}`,
      channel: i % 2 ? 'sip' : 'web',
      callerIdentity: i % 2 ? `sip_${phone}` : `caller-${callId}`,
      callerPhoneMasked: i % 2 ? `${phone.slice(0, 2)}******${phone.slice(-4)}` : undefined,
      startedAt: startedAt.toISOString(),
      engines: offline
        ? { stt: 'pocketsphinx', llm: 'rules', tts: 'flite', mode: 'offline' }
        : { stt: 'deepgram', llm: 'groq', tts: 'deepgram-aura', mode: 'cloud' },
    });
    await addState(db, callId, { id: `seed-${++event}`, state: 'LISTENING', at: stamp(300) });
    let index = 0;
    for (const [speaker, text] of script.lines) {
      const interrupted = speaker === 'agent' && random() < 0.15;
      const began = stamp(speaker === 'agent' ? 0 : 400);
      if (speaker === 'agent') await addState(db, callId, { id: `seed-${++event}`, state: 'PROCESSING', at: stamp(0) });
      const v2v = Math.round((offline ? 900 : 450) + random() * (offline ? 500 : 250));
      if (speaker === 'agent') await addState(db, callId, { id: `seed-${++event}`, state: 'SPEAKING', at: stamp(v2v) });
      const ended = stamp(1500 + random() * 2500);
      if (interrupted)
        await addState(db, callId, { id: `seed-${++event}`, state: 'INTERRUPTED', at: stamp(0), reason: 'barge-in' });
      await addState(db, callId, { id: `seed-${++event}`, state: 'LISTENING', at: stamp(interrupted ? 150 : 0) });
      await addTurn(db, t.id, callId, {
        index: speaker === 'caller' ? index : index++,
        speaker,
        text,
        startedAt: began,
        endedAt: ended,
        interrupted,
        metrics:
          speaker === 'agent'
            ? {
                sttFinalMs: Math.round(v2v * 0.3),
                endOfTurnMs: Math.round(v2v * 0.4),
                llmFirstTokenMs: Math.round(v2v * 0.35),
                ttsFirstByteMs: Math.round(v2v * 0.25),
                v2vMs: v2v,
              }
            : undefined,
      });
    }
    if (script.books) await demoBooking(db, t.id, kb.kb, callId, phone, today, i, now, startedAt);
    await endCall(db, t.id, callId, {
      endedAt: stamp(800),
      status: script.status,
      outcome: script.outcome,
      summary: script.lines.length ? `The caller ${script.outcome}.` : undefined,
    });
  }
  return t;
}

async function demoBooking(
  db: Db,
  tenantId: string,
  kb: Parameters<typeof slotsOn>[0],
  callId: string,
  phone: string,
  today: string,
  i: number,
  now: Date,
  madeAt: Date,
): Promise<void> {
  const services = kb.services;
  for (let d = 1 + (i % 9); d < 40; d++) {
    const slots = slotsOn(kb, addDaysToDate(today, d));
    const slot = slots[(i * 7) % Math.max(1, slots.length)];
    if (!slot) continue;
    try {
      const b = await book(
        db,
        tenantId,
        kb,
        {
          callId,
          name: ['Sarah Lee', 'Maria Gomez', 'John Park', 'Ava Chen'][i % 4]!,
          phone,
          service: services[i % services.length]!.id,
          startsAt: slot.startsAt,
        },
        now,
      );
      await db.query('update bookings set created_at = $2 where id = $1', [b.id, madeAt.toISOString()]);
      return;
    } catch (err) {
      if (!(err instanceof BookingError && err.status === 409)) throw err;
    }
  }
}

/**
 * `npm run bench -- --twilio`: the Media Streams leg. A whole stack as `npm start` runs it without keys
 * (offline engines, the records API) with the web server's Twilio webhook on, and a fake Twilio speaking
 * Media Streams (test/fakes/twilio-media.ts) as the caller. Every figure is taken at the fake, where
 * Twilio's media server would be:
 * - greeting_ms: `start` sent → her first audible 20 ms frame;
 * - v2v_ms: the caller's last voiced frame of "what are your opening hours" sent → her first audible frame after it;
 * - barge_in_ms: the caller's first voiced frame over her answer sent → `clear` received.
 */
import { ACCOUNT_SID } from '../../test/fakes/twilio-media.ts';
import { startTwilioFake } from '../../test/fakes/twilio-rest.ts';
import { agentLogs, startTestStack } from '../../test/support/test-stack.ts';
import { CLINIC_NUMBER, phoneSpeech, twilioCall, voicedFrames } from '../../test/support/twilio-caller.ts';
import { percentiles, type Percentiles } from './stats.ts';

const AUTH = 'twilio-auth-token-for-the-bench';

export interface TwilioFigures {
  greeting_ms: Percentiles;
  v2v_ms: Percentiles;
  barge_in_ms: Percentiles;
  calls: number;
  problems: string[];
  measured_at: string;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function runTwilioBench(calls: number, log: (line: string) => void): Promise<TwilioFigures> {
  const rest = await startTwilioFake(ACCOUNT_SID, AUTH, [CLINIC_NUMBER]);
  const stack = await startTestStack(
    'bench-twilio',
    { LOG_LEVEL: 'info' },
    {
      webEnv: {
        TWILIO_AUTH_TOKEN: AUTH,
        TWILIO_ACCOUNT_SID: ACCOUNT_SID,
        TWILIO_API_BASE_URL: rest.baseUrl,
        TWILIO_NUMBERS: `${CLINIC_NUMBER}=riverside`,
      },
    },
  );
  const question = await phoneSpeech('what are your opening hours');
  const interruption = await phoneSpeech('where are you located');
  const q = voicedFrames(question);
  const i = voicedFrames(interruption);
  const greeting: number[] = [];
  const v2v: number[] = [];
  const bargeIn: number[] = [];
  const problems: string[] = [];
  try {
    for (let n = 1; n <= calls; n++) {
      const since = agentLogs(stack).length;
      const states = (to: string) =>
        agentLogs(stack)
          .slice(since)
          .filter((l) => l.msg === 'state' && l.to === to).length;
      const { stream, startedAt } = await twilioCall(stack.webUrl, AUTH);
      try {
        await until(() => stream.audibleFrames().length > 0, 30_000, 'her greeting');
        greeting.push(stream.audibleFrames()[0]! - startedAt);
        await until(() => states('LISTENING') >= 2, 30_000, 'the greeting to end');
        const asked = await stream.say(question);
        const lastVoiced = asked[q.last]!;
        await until(() => stream.audibleFrames().some((t) => t > asked.at(-1)!), 20_000, 'her answer');
        v2v.push(stream.audibleFrames().find((t) => t > lastVoiced)! - lastVoiced);
        await until(() => states('SPEAKING') >= 2, 20_000, 'her to speak');
        await new Promise((r) => setTimeout(r, 1200));
        const clears = stream.clears.length;
        const said = await stream.say(interruption);
        await until(() => stream.clears.length > clears, 5000, 'clear');
        bargeIn.push(stream.clears[clears]! - said[i.first]!);
        log(
          `call ${n}: greeting ${Math.round(greeting.at(-1)!)} ms after start, v2v ${Math.round(v2v.at(-1)!)} ms, ` +
            `barge-in → clear ${Math.round(bargeIn.at(-1)!)} ms`,
        );
      } catch (err) {
        problems.push(`call ${n}: ${(err as Error).message}`);
        log(`call ${n}: ${(err as Error).message}`);
      } finally {
        stream.stop();
        // the next call starts once this one's job has gone
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  } finally {
    await stack.stop();
    await rest.close();
  }
  return {
    greeting_ms: percentiles(greeting),
    v2v_ms: percentiles(v2v),
    barge_in_ms: percentiles(bargeIn),
    calls,
    problems,
    measured_at: new Date().toISOString(),
  };
}

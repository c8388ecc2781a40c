/**
 * A Twilio Media Streams caller on a whole stack, shared by test/twilio-media.test.ts and the bench's
 * Twilio leg: the signed webhook, the stream its TwiML names, started, with the line running; and
 * speech made with the project's own voice as Twilio carries it (8 kHz μ-law).
 */
import assert from 'node:assert/strict';
import { resample } from '../../agent/src/core/audio/resample.ts';
import { synthesize } from '../../agent/src/engines/flite/index.ts';
import { encodeMulaw } from '@voxanne/contracts/g711';
import {
  callParams,
  FakeMediaStream,
  frameRms,
  newCallSid,
  postVoiceWebhook,
  streamOf,
  type StreamProfile,
} from '../fakes/twilio-media.ts';

export const CLINIC_NUMBER = '+15550100200';
export const CALLER_NUMBER = '+15557654321';

/** `text` in flite's slt voice as Twilio carries it: 8 kHz μ-law, with line silence after it */
export async function phoneSpeech(text: string, trailingMs = 600): Promise<Uint8Array> {
  const { samples, sampleRate } = await synthesize(text, { voice: 'slt' });
  const pcm = resample(samples, sampleRate, 8000);
  const padded = new Int16Array(pcm.length + (trailingMs * 8000) / 1000);
  padded.set(pcm);
  return encodeMulaw(padded);
}

/** the first and last 20 ms frames of `mulaw` loud enough to be speech */
export function voicedFrames(mulaw: Uint8Array, rms = 300): { first: number; last: number } {
  let first = -1;
  let last = -1;
  for (let f = 0; (f + 1) * 160 <= mulaw.length; f++) {
    if (frameRms(mulaw.subarray(f * 160, (f + 1) * 160)) > rms) {
      if (first < 0) first = f;
      last = f;
    }
  }
  return { first: Math.max(0, first), last: Math.max(0, last) };
}

/** Twilio's side of a new call: the signed webhook, then the stream its TwiML names, started */
export async function twilioCall(
  webUrl: string,
  authToken: string,
  profile: StreamProfile = {},
): Promise<{ stream: FakeMediaStream; startedAt: number }> {
  const callSid = newCallSid();
  const hook = await postVoiceWebhook(
    `${webUrl}/twilio/voice`,
    authToken,
    callParams(callSid, CALLER_NUMBER, CLINIC_NUMBER),
  );
  assert.equal(hook.status, 200, hook.body);
  const { url, parameters } = streamOf(hook.body)!;
  const stream = await FakeMediaStream.open(url, callSid, profile);
  stream.connected();
  stream.start(parameters);
  const startedAt = performance.now();
  stream.startLine();
  return { stream, startedAt };
}

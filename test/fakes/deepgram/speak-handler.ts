/**
 * `POST /v1/speak`: Aura's REST text-to-speech as the fake serves it. The response starts
 * `ttsFirstByteMs` after the request and the body streams in `ttsChunkBytes` pieces at
 * `ttsSpeedup` times real time, so a client that plays audio as it arrives can be told apart from
 * one that waits for the whole body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulawEncode } from './g711.ts';
import { pcmToBytes } from './speech-signal.ts';
import type { LatencyProfile, SpeakRecord, Synthesizer } from './types.ts';

export interface HoldState {
  afterBytes: number;
  reached: (rec: SpeakRecord) => void;
  released: Promise<void>;
}

export interface SpeakContext {
  record: SpeakRecord;
  profile: LatencyProfile;
  synthesizer: Synthesizer;
  stallMs: number;
  disconnect: { afterMs?: number; afterAudioMs?: number } | undefined;
  hold: HoldState | undefined;
  onChange: () => void;
}

const MAX_TEXT_CHARS = 2000; // Aura's documented limit per request

export function rejectSpeak(
  res: ServerResponse,
  rec: SpeakRecord,
  status: number,
  errCode: string,
  errMsg: string,
): void {
  rec.status = status;
  rec.outcome = 'rejected';
  const body = JSON.stringify({ err_code: errCode, err_msg: errMsg, request_id: rec.requestId });
  res.writeHead(status, {
    'content-type': 'application/json',
    'dg-request-id': rec.requestId,
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function wavHeader(dataBytes: number, sampleRate: number, encoding: 'linear16' | 'mulaw'): Uint8Array {
  const h = new Uint8Array(44);
  const v = new DataView(h.buffer);
  const put = (at: number, s: string) => [...s].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  const bytesPerSample = encoding === 'linear16' ? 2 : 1;
  put(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, encoding === 'linear16' ? 1 : 7, true); // 7 = WAVE_FORMAT_MULAW
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * bytesPerSample, true);
  v.setUint16(32, bytesPerSample, true);
  v.setUint16(34, bytesPerSample * 8, true);
  put(36, 'data');
  v.setUint32(40, dataBytes, true);
  return h;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export async function handleSpeak(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: SpeakContext,
): Promise<void> {
  const rec = ctx.record;
  // cancels pending waits once the response is over, so a long stall does not keep the process alive
  const gone = new AbortController();
  // aborted: res.destroyed says so
  const wait = (ms: number) => sleep(ms, undefined, { signal: gone.signal }).catch(() => undefined);
  res.on('close', () => {
    gone.abort();
    if (rec.outcome === undefined) rec.outcome = res.writableFinished ? 'completed' : 'client-aborted';
    ctx.onChange();
  });

  const q = url.searchParams;
  const model = q.get('model') ?? 'aura-asteria-en';
  const encoding = q.get('encoding') ?? 'mp3';
  if (!model.startsWith('aura'))
    return rejectSpeak(res, rec, 400, 'INVALID_QUERY_PARAMETER', `unknown TTS model ${model}`);
  if (encoding !== 'linear16' && encoding !== 'mulaw') {
    return rejectSpeak(
      res,
      rec,
      400,
      'UNSUPPORTED_ENCODING',
      `the fake streams linear16 or mulaw only, got encoding=${encoding}`,
    );
  }
  const sampleRate = Number(q.get('sample_rate') ?? (encoding === 'linear16' ? 24000 : 8000));
  const allowed = encoding === 'linear16' ? [8000, 16000, 24000, 32000, 48000] : [8000, 16000];
  if (!allowed.includes(sampleRate))
    return rejectSpeak(
      res,
      rec,
      400,
      'INVALID_QUERY_PARAMETER',
      `sample_rate ${sampleRate} is not valid for ${encoding}`,
    );
  const container = q.get('container') ?? 'wav';
  if (container !== 'wav' && container !== 'none')
    return rejectSpeak(res, rec, 400, 'INVALID_QUERY_PARAMETER', `container=${container} is not valid for ${encoding}`);

  let text: unknown;
  try {
    text = (JSON.parse(await readBody(req)) as { text?: unknown }).text;
  } catch {
    return rejectSpeak(res, rec, 400, 'INVALID_JSON', 'Invalid JSON submitted.');
  }
  if (typeof text !== 'string' || text.trim() === '')
    return rejectSpeak(res, rec, 400, 'INVALID_JSON', 'text is required');
  rec.text = text;
  ctx.onChange();
  if (text.length > MAX_TEXT_CHARS)
    return rejectSpeak(res, rec, 413, 'PAYLOAD_TOO_LARGE', `text is limited to ${MAX_TEXT_CHARS} characters`);

  // Aura's time to first byte includes its synthesis: the clock starts before the synthesizer runs
  const firstByteMs = ctx.profile.ttsFirstByteMs + (ctx.profile.jitterMs?.('ttsFirstByte') ?? 0);
  const firstByte = ctx.stallMs > 0 ? undefined : wait(firstByteMs);
  const pcm = Promise.resolve(ctx.synthesizer(text, sampleRate));
  if (ctx.stallMs > 0) await wait(ctx.stallMs);
  await (firstByte ?? wait(firstByteMs));
  const audio = encoding === 'linear16' ? pcmToBytes(await pcm) : mulawEncode(await pcm);
  if (res.destroyed) return; // the client gave up during the wait; 'close' recorded it
  rec.audioBytesTotal = audio.length;
  rec.status = 200;
  res.writeHead(200, {
    'content-type':
      container === 'wav' ? 'audio/wav' : encoding === 'linear16' ? `audio/l16;rate=${sampleRate}` : 'audio/basic',
    'dg-request-id': rec.requestId,
    'dg-model-name': model,
    'dg-char-count': String(text.length),
  });
  if (container === 'wav') res.write(wavHeader(audio.length, sampleRate, encoding));

  const bytesPerSecond = sampleRate * (encoding === 'linear16' ? 2 : 1);
  const dropAtBytes =
    ctx.disconnect?.afterAudioMs !== undefined
      ? Math.round((ctx.disconnect.afterAudioMs / 1000) * bytesPerSecond)
      : Infinity;
  let dropTimer: NodeJS.Timeout | undefined;
  const drop = () => {
    if (rec.outcome !== undefined) return;
    rec.outcome = 'server-dropped';
    res.socket?.destroy();
  };
  if (ctx.disconnect?.afterMs !== undefined) dropTimer = setTimeout(drop, ctx.disconnect.afterMs);
  try {
    const chunk = Math.max(1, ctx.profile.ttsChunkBytes);
    let at = 0;
    while (at < audio.length) {
      if (res.destroyed) return;
      if (ctx.hold && at >= ctx.hold.afterBytes) {
        ctx.hold.reached(rec);
        await Promise.race([ctx.hold.released, new Promise((resolve) => res.once('close', resolve))]);
        ctx.hold = undefined;
        if (res.destroyed) return;
      }
      if (at >= dropAtBytes) return drop();
      const end = Math.min(audio.length, at + chunk, dropAtBytes > at ? dropAtBytes : Infinity);
      const flushed = res.write(audio.subarray(at, end));
      const sent = end - at;
      at = end;
      rec.audioBytesSent = at;
      ctx.onChange();
      if (!flushed) await drained(res);
      if (Number.isFinite(ctx.profile.ttsSpeedup))
        await wait(((sent / bytesPerSecond) * 1000) / ctx.profile.ttsSpeedup);
    }
    res.end();
  } finally {
    clearTimeout(dropTimer);
  }
}

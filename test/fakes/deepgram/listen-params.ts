/**
 * The live-transcription query string as Deepgram reads it, with Deepgram's defaults
 * (no interim results, 10 ms endpointing, no VAD events, no punctuation). Anything the fake cannot
 * honour is rejected the way Deepgram rejects a bad request: HTTP 400 on the upgrade.
 */

export interface ListenParams {
  model: string;
  encoding: 'linear16' | 'mulaw';
  sampleRate: number;
  channels: number;
  interimResults: boolean;
  /** trailing silence that ends an utterance; false = endpointing off */
  endpointingMs: number | false;
  utteranceEndMs: number | undefined;
  vadEvents: boolean;
  punctuate: boolean;
  smartFormat: boolean;
  language: string;
}

const DEEPGRAM_DEFAULT_ENDPOINTING_MS = 10;

function bool(q: URLSearchParams, name: string, dflt: boolean): boolean {
  const v = q.get(name);
  if (v === null) return dflt;
  return v === 'true';
}

export function parseListenParams(q: URLSearchParams): ListenParams | { error: string } {
  const model = q.get('model') ?? 'base';
  if (!/^nova-[23]/.test(model)) return { error: `the fake serves nova-2 and nova-3 models only, got model=${model}` };
  const encoding = q.get('encoding');
  if (encoding !== 'linear16' && encoding !== 'mulaw') {
    return {
      error: `the fake needs raw audio: encoding=linear16 or mulaw, got ${encoding ?? 'none (containerized audio)'}`,
    };
  }
  const sampleRate = Number(q.get('sample_rate'));
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 48000) {
    return { error: `sample_rate is required with encoding=${encoding} (8000..48000), got ${q.get('sample_rate')}` };
  }
  const channels = Number(q.get('channels') ?? '1');
  if (!Number.isInteger(channels) || channels < 1) return { error: `bad channels=${q.get('channels')}` };
  const ep = q.get('endpointing');
  let endpointingMs: number | false = DEEPGRAM_DEFAULT_ENDPOINTING_MS;
  if (ep === 'false') endpointingMs = false;
  else if (ep !== null) {
    endpointingMs = Number(ep);
    if (!Number.isFinite(endpointingMs) || endpointingMs < 0) return { error: `bad endpointing=${ep}` };
  }
  const ue = q.get('utterance_end_ms');
  const utteranceEndMs = ue === null ? undefined : Number(ue);
  if (utteranceEndMs !== undefined && !(utteranceEndMs >= 1000))
    return { error: `utterance_end_ms must be at least 1000, got ${ue}` };
  const interimResults = bool(q, 'interim_results', false);
  if (utteranceEndMs !== undefined && !interimResults)
    return { error: 'utterance_end_ms requires interim_results=true' };
  return {
    model,
    encoding,
    sampleRate,
    channels,
    interimResults,
    endpointingMs,
    utteranceEndMs,
    vadEvents: bool(q, 'vad_events', false),
    punctuate: bool(q, 'punctuate', false),
    smartFormat: bool(q, 'smart_format', false),
    language: q.get('language') ?? 'en',
  };
}

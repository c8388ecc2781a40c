/**
 * Twilio Media Streams' WebSocket messages (docs: voice/media-streams/websocket-messages), parsed at
 * the edge: the bridge sees typed events, never JSON envelopes. Anything malformed or unknown is
 * `ignored` with a reason; the socket and the call go on.
 */
import { jsonObject, keypadDigit, obj, str, stringParams } from './twilio-json.ts';

export type InboundEvent =
  | { event: 'connected' }
  | {
      event: 'start';
      streamSid: string;
      callSid: string;
      customParameters: Record<string, string>;
      mediaFormat: { encoding: string; sampleRate: number; channels: number };
    }
  | { event: 'media'; payload: Uint8Array; chunk: number | undefined }
  | { event: 'dtmf'; digit: string }
  | { event: 'mark'; name: string }
  | { event: 'stop' }
  | { event: 'ignored'; reason: string };

/** 160 bytes (20 ms) is what Twilio sends; anything far larger is not a frame of this stream */
export const MAX_MEDIA_BYTES = 8000;

export function parseInbound(text: string): InboundEvent {
  const o = jsonObject(text);
  if (typeof o === 'string') return { event: 'ignored', reason: o };
  switch (o.event) {
    case 'connected':
      return { event: 'connected' };
    case 'start': {
      const s = obj(o.start);
      const f = obj(s?.mediaFormat);
      const streamSid = str(s?.streamSid) ?? str(o.streamSid);
      const callSid = str(s?.callSid);
      if (!s || !f || !streamSid || !callSid) return { event: 'ignored', reason: 'start without its fields' };
      return {
        event: 'start',
        streamSid,
        callSid,
        customParameters: stringParams(s.customParameters),
        mediaFormat: {
          encoding: str(f.encoding) ?? '',
          sampleRate: typeof f.sampleRate === 'number' ? f.sampleRate : 0,
          channels: typeof f.channels === 'number' ? f.channels : 0,
        },
      };
    }
    case 'media': {
      const md = obj(o.media);
      const payload = str(md?.payload);
      if (payload === undefined) return { event: 'ignored', reason: 'media without a payload' };
      if (md?.track !== undefined && md.track !== 'inbound')
        return { event: 'ignored', reason: 'not the inbound track' };
      // base64 of MAX_MEDIA_BYTES is 4/3 as long; refuse before decoding
      if (payload.length > (MAX_MEDIA_BYTES * 4) / 3 + 4)
        return { event: 'ignored', reason: 'media payload too large' };
      const chunk = Number(str(md?.chunk));
      return {
        event: 'media',
        payload: Buffer.from(payload, 'base64'),
        chunk: Number.isFinite(chunk) ? chunk : undefined,
      };
    }
    case 'dtmf': {
      const digit = keypadDigit(obj(o.dtmf)?.digit);
      return digit ? { event: 'dtmf', digit } : { event: 'ignored', reason: 'dtmf without a digit' };
    }
    case 'mark': {
      const name = str(obj(o.mark)?.name);
      return name ? { event: 'mark', name } : { event: 'ignored', reason: 'mark without a name' };
    }
    case 'stop':
      return { event: 'stop' };
    default:
      return { event: 'ignored', reason: 'unknown event' };
  }
}

export const mediaMessage = (streamSid: string, mulaw: Uint8Array): string =>
  JSON.stringify({ event: 'media', streamSid, media: { payload: Buffer.from(mulaw).toString('base64') } });
export const markMessage = (streamSid: string, name: string): string =>
  JSON.stringify({ event: 'mark', streamSid, mark: { name } });
export const clearMessage = (streamSid: string): string => JSON.stringify({ event: 'clear', streamSid });

/**
 * A Twilio ConversationRelay caller, seen from the call: Twilio is her ears and her voice, so on this
 * channel they are an engine pair like any other, and the call (CallSession: turn core, state
 * machine, brain, tools, humanizer, guard, records, silence prompt) is the same as everyone's.
 * - Her ears: the bridge's `prompt` (the caller's finished words) arrives on RELAY_TOPIC and is fed
 *   to the session as a recogniser's speech start, final transcript and speech end; `interrupt`
 *   (Twilio heard the caller over her) is a speech start, which is a barge-in while she speaks.
 * - Her voice: a TTS whose synthesis sends each sentence to the bridge as it is ready (the bridge
 *   streams it to Twilio as a `text` token) and returns silence as long as the sentence takes to say
 *   (core/phone/spoken-duration.ts), so her turn is paced as Twilio speaks it.
 * The greeting is Twilio's own `welcomeGreeting`; her first line is paced but not sent.
 */
import { normalizeLanguage, stt } from '@livekit/agents';
import { RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import { decodeRelay, encodeRelay, RELAY_TOPIC, type RelayMessage } from '@voxanne/contracts/protocol';
import { spokenMs } from '../core/phone/spoken-duration.ts';
import type { CallerAudioHandlers } from '../call/caller-audio.ts';
import type { Listener } from '../call/call-session.ts';
import type { Logger } from '../call/logger.ts';
import { FliteTTS } from '../engines/flite/index.ts';
import type { Engines } from '../engines/types.ts';

/** the rate of the silence that paces her turn: any will do, nobody hears it */
const PACE_RATE = 8000;

export class RelayVoice {
  /** her first line is Twilio's welcomeGreeting: paced, not sent */
  #muted: boolean;
  readonly tts: FliteTTS;

  constructor(
    private readonly room: Room,
    private readonly caller: RemoteParticipant,
    private readonly log: Logger,
    /** msPerWord: the pace of Twilio's voice (TWILIO_RELAY_MS_PER_WORD) */
    opts: { greetingIsTwilios: boolean; sampleRate: number; msPerWord: number },
  ) {
    this.#muted = opts.greetingIsTwilios;
    this.tts = new FliteTTS({
      sampleRate: opts.sampleRate,
      synthesizeFn: async (text) => {
        if (!this.#muted) this.#send({ v: 1, type: 'text', text });
        const ms = spokenMs(text, opts.msPerWord);
        return { samples: new Int16Array(Math.round((ms * PACE_RATE) / 1000)), sampleRate: PACE_RATE };
      },
    });
  }

  /** her first line is over (said to the end or cut off): from now on every sentence goes to Twilio */
  unmute(): void {
    this.#muted = false;
  }

  #send(m: RelayMessage): void {
    this.room
      .localParticipant!.publishData(encodeRelay(m), {
        reliable: true,
        topic: RELAY_TOPIC,
        destination_identities: [this.caller.identity],
      })
      .catch((err: unknown) => this.log.warn({ err: (err as Error).message }, 'relay text not delivered'));
  }
}

/** The call's engines on a relay call: Twilio's ears and voice, the same brain (and its fallback's). */
export function relayEngines(engines: Engines, voice: RelayVoice): Engines {
  const info = { ...engines.info, stt: 'twilio-relay', tts: 'twilio-relay' };
  const { vad: _vad, prefetch: _prefetch, ...rest } = engines;
  return {
    ...rest,
    tts: voice.tts,
    info,
    ...(engines.fallback
      ? { fallback: { ...engines.fallback, tts: voice.tts, info: { ...engines.fallback.info, ...info } } }
      : {}),
  };
}

const speech = (type: stt.SpeechEventType, text = ''): stt.SpeechEvent => ({
  type,
  alternatives: [{ text, language: normalizeLanguage('en'), startTime: 0, endTime: 0, confidence: 1 }],
});

/** The caller's words from the bridge, as a recogniser's events (CallSession's `listen`). */
export function relayListener(room: Room, caller: RemoteParticipant, log: Logger) {
  return (h: CallerAudioHandlers): Listener => {
    let speaking = false;
    const onData = (payload: Uint8Array, p?: RemoteParticipant, _kind?: unknown, topic?: string) => {
      if (topic !== RELAY_TOPIC || p?.identity !== caller.identity) return;
      const m = decodeRelay(payload);
      if (!m) return log.warn({}, 'relay message ignored: malformed');
      if (m.type === 'interrupt') {
        log.info({ durationMs: m.durationMs }, 'relay interrupt');
        log.debug({ pii: { heard: m.heard } }, 'relay interrupt heard');
        if (!speaking) h.onSpeech(speech(stt.SpeechEventType.START_OF_SPEECH));
        speaking = true;
      } else if (m.type === 'prompt') {
        if (!speaking) h.onSpeech(speech(stt.SpeechEventType.START_OF_SPEECH));
        speaking = false;
        h.onSpeech(speech(stt.SpeechEventType.FINAL_TRANSCRIPT, m.text));
        h.onSpeech(speech(stt.SpeechEventType.END_OF_SPEECH));
      }
    };
    return {
      start: () => void room.on(RoomEvent.DataReceived, onData),
      close: () => void room.off(RoomEvent.DataReceived, onData),
    };
  };
}

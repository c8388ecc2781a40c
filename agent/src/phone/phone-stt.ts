import { stt, type APIConnectOptions, type AudioBuffer } from '@livekit/agents';
import { PocketsphinxSTT } from '../engines/pocketsphinx/index.ts';

/**
 * The embedded recogniser as a phone caller needs it: its streams get the phone-band fill
 * (core/audio/phone-band.ts). Everything else is the shared engine (decoders, model, errors).
 */
class PhoneBandSTT extends stt.STT {
  label = 'pocketsphinx.STT (phone band)';

  constructor(private readonly inner: PocketsphinxSTT) {
    super({ streaming: true, interimResults: true });
    // CallerAudio listens for failures on the engine it was given: pass the inner engine's on
    // (only while someone listens: an 'error' event with no listener would throw)
    inner.on('error', (e) => {
      if (this.listenerCount('error') > 0) this.emit('error', e);
    });
  }

  override get model(): string {
    return this.inner.model;
  }

  override get provider(): string {
    return this.inner.provider;
  }

  stream(options?: { connOptions?: APIConnectOptions }): stt.SpeechStream {
    return this.inner.stream({ ...options, phoneBand: true });
  }

  protected _recognize(buffer: AudioBuffer, abortSignal?: AbortSignal): Promise<stt.SpeechEvent> {
    return this.inner.recognize(buffer, abortSignal);
  }
}

/** The STT for a phone caller: the phone-band view of the embedded engine; a cloud STT as it is. */
export function phoneStt(engine: stt.STT): stt.STT {
  return engine instanceof PocketsphinxSTT ? new PhoneBandSTT(engine) : engine;
}

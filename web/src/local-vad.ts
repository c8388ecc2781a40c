import { VAD_ASSET_FILES, VAD_ASSET_PATH } from './asset-paths.ts';

export const VAD_STATUSES = ['off', 'loading', 'ready', 'failed', 'stopped'] as const;
export type VadStatus = (typeof VAD_STATUSES)[number];

export interface LocalVadEvents {
  onSpeechStart(): void;
  /** 'misfire': speech started but was too short to count */
  onSpeechEnd(kind: 'end' | 'misfire'): void;
  onStatus(status: VadStatus, error?: string): void;
}

/**
 * Warms the HTTP cache with the VAD's files (about 14 MB, mostly onnxruntime's wasm) while the page sits
 * idle, without compiling anything. The VAD itself starts only once the call is connected, so loading
 * it never holds up joining the room; with the files cached (the server answers 304 on revalidation) it
 * is then ready sooner. Failures are ignored: the VAD fetches again when it starts and reports then.
 */
export function prefetchVadAssets(): Promise<void> {
  const files = VAD_ASSET_FILES.map((f) =>
    fetch(`${VAD_ASSET_PATH}${f}`, { priority: 'low' } as RequestInit)
      .then((r) => r.arrayBuffer())
      .then(
        () => undefined,
        () => undefined,
      ),
  );
  const code = import('@ricky0123/vad-web').then(
    () => undefined,
    () => undefined,
  );
  return Promise.all([...files, code]).then(() => undefined);
}

export interface LocalVad {
  stop(): Promise<void>;
}

/**
 * On-device voice activity detection (Silero v5 via @ricky0123/vad-web) on the call's own microphone
 * stream, so only one microphone is opened. It drives the "you are speaking" light and local ducking;
 * the call works without it, so a failure is reported through onStatus rather than ending the call.
 */
export async function startLocalVad(
  stream: MediaStream,
  audioContext: AudioContext,
  events: LocalVadEvents,
): Promise<LocalVad> {
  events.onStatus('loading');
  // Loaded on demand: onnxruntime is large and the page should draw before it arrives.
  const { MicVAD } = await import('@ricky0123/vad-web');
  const vad = await MicVAD.new({
    model: 'v5',
    baseAssetPath: VAD_ASSET_PATH,
    onnxWASMBasePath: VAD_ASSET_PATH,
    audioContext,
    getStream: async () => stream,
    // The stream belongs to the call: the library's defaults would stop the published microphone track.
    pauseStream: async () => {},
    resumeStream: async (s) => s,
    ortConfig: (ort) => {
      ort.env.logLevel = 'error';
      // Threads need cross-origin isolation, which this page does not have; 1 avoids a warning and a worker.
      ort.env.wasm.numThreads = 1;
    },
    // Quicker to call speech over than the library's defaults
    // (1400 ms): ducking should lift soon after the caller stops.
    positiveSpeechThreshold: 0.5,
    negativeSpeechThreshold: 0.35,
    redemptionMs: 500,
    minSpeechMs: 250,
    onSpeechStart: () => events.onSpeechStart(),
    onSpeechEnd: () => events.onSpeechEnd('end'),
    onVADMisfire: () => events.onSpeechEnd('misfire'),
  });
  events.onStatus('ready');
  return {
    async stop() {
      await vad.destroy();
      events.onStatus('stopped');
    },
  };
}

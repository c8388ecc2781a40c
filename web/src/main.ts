import './base.css';
import './styles.css';
import { INITIAL_MODEL, isActive, reduceCall, type CallEvent, type CallModel } from './call-model.ts';
import { CallSession, type CallSessionListener } from './call-session.ts';
import { prefetchVadAssets } from './local-vad.ts';
import { installHook, markStep, mirrorModel, resetHook, sinceClick } from './test-hook.ts';
import { CallView } from './view.ts';
import { warmUpConnection } from './warm-up.ts';

const hook = installHook();
// after the page has drawn: warm the connection to LiveKit, and fetch (not compile) the VAD's files so
// the VAD is ready sooner once a call connects
window.addEventListener(
  'load',
  () =>
    setTimeout(() => {
      void warmUpConnection().then((ok) => (hook.connectionWarmed = ok));
      void prefetchVadAssets().then(() => (hook.vadPrefetched = true));
    }, 0),
  { once: true },
);
let model: CallModel = INITIAL_MODEL;
let session: CallSession | null = null;
/** bumped per click, so a previous call's late callbacks cannot write into the new call's hook */
let generation = 0;

const view = new CallView(document, {
  onTalk: () => talk(),
  onHangUp: () => void hangUp(),
  onUnlockAudio: () => {
    session?.startAudio().then(
      () => dispatch({ type: 'audio-blocked', blocked: false }),
      // the button stays, so the caller can try again
      (e: unknown) => console.warn('starting audio playback failed', e),
    );
  },
});

function dispatch(e: CallEvent): void {
  model = reduceCall(model, e);
  view.render(model);
  mirrorModel(hook, model);
}

function talk(): void {
  if (isActive(model.phase)) return;
  const clickAtMs = performance.now();
  const gen = ++generation;
  resetHook(hook, clickAtMs);
  dispatch({ type: 'start' });
  const current = () => gen === generation;
  const listener: CallSessionListener = {
    dispatch: (e) => {
      if (current() && session === s) dispatch(e);
    },
    names: (room, identity) => {
      if (current()) Object.assign(hook, { room, identity });
    },
    agentJoined: (agentIdentity) => {
      if (current()) hook.agentIdentity = agentIdentity;
    },
    agentAudio: (p) => {
      if (current()) hook.agentAudio = { ...p, threshold: hook.agentAudio.threshold };
    },
    vadStatus: (status, error) => {
      if (!current()) return;
      const readyAtMs = status === 'ready' ? sinceClick(hook) : hook.vad.readyAtMs;
      hook.vad = { ...hook.vad, status, readyAtMs, error: error ?? hook.vad.error };
    },
    vadEvent: (type) => {
      if (!current()) return;
      hook.vadEvents = [...hook.vadEvents, { type, atMs: sinceClick(hook) }];
      hook.vad = { ...hook.vad, speaking: type === 'start' };
    },
    ducked: (ducked) => {
      if (current()) hook.ducked = ducked;
    },
    micSettings: (mic) => {
      if (current()) hook.mic = mic;
    },
    step: (step, atMs) => {
      if (current()) markStep(hook, step, atMs);
    },
  };
  // Constructed synchronously inside the click: its AudioContext must be born in the user gesture.
  const s = new CallSession({ audioElement: view.audioElement, clickAtMs }, listener);
  session = s;
  s.start().catch((e: unknown) => {
    console.error('the call failed unexpectedly', e);
    if (session === s) {
      dispatch({ type: 'failed', kind: 'unexpected' });
      void s.hangUp();
    }
  });
}

async function hangUp(): Promise<void> {
  const s = session;
  session = null;
  dispatch({ type: 'hung-up' });
  await s?.hangUp();
}

// No pagehide handler: livekit-client disconnects by itself when the page is left (disconnectOnPageLeave).
view.render(model);

/**
 * `@livekit/agents` 1.9 registers its own end-of-turn model whenever `@livekit/local-inference` loads
 * (Voxanne's VAD needs that binding), and a worker with a registered model starts a shared inference
 * process for it at start, used or not. Voxanne's turns end by her own rules (core/end-of-turn.ts), so
 * that process (340 MB measured during a SIP bench, plus its start-up) served nothing: the worker
 * ignores every registration, and the library then starts no inference process
 * (`InferenceProcExecutor.createIfNeeded` finds no model). Call before the worker is created.
 */
import { InferenceRunner } from '@livekit/agents';

export function withoutInferenceProcess(): void {
  InferenceRunner.registeredRunners = new Proxy<Record<string, string>>(
    {},
    {
      // registerRunner assigns; a set that stores nothing leaves the table empty
      set: () => true,
      defineProperty: () => true,
    },
  );
}

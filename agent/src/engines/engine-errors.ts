/**
 * The agents base classes report a provider's final failure only as a non-recoverable 'error' event
 * on the engine and then just end the stream. This is the one place that listens for it.
 */
export interface EngineError {
  error: Error;
  recoverable: boolean;
}

export interface ErrorEmitter {
  on(ev: 'error', l: (e: EngineError) => void): unknown;
  off(ev: 'error', l: (e: EngineError) => void): unknown;
}

/** Calls `fn` with each non-recoverable error the engine reports; returns the unsubscribe. */
export function onFatalError(engine: ErrorEmitter, fn: (err: Error) => void): () => void {
  const l = (e: EngineError) => {
    if (!e.recoverable) fn(e.error);
  };
  engine.on('error', l);
  return () => engine.off('error', l);
}

/**
 * Iterates `source` and throws the engine's first fatal error (at the next item or at the end), so a
 * failed provider is not mistaken for an empty answer.
 */
export async function* watchErrors<T>(engine: ErrorEmitter, source: AsyncIterable<T>): AsyncIterable<T> {
  let failure: Error | undefined;
  const stop = onFatalError(engine, (err) => (failure ??= err));
  try {
    for await (const item of source) {
      if (failure) throw failure;
      yield item;
    }
    if (failure) throw failure;
  } finally {
    stop();
  }
}

/** Live call changes fanned out to the dashboards of the call's clinic (Server-Sent Events on /api/live/stream). */
import type { LiveCall } from '../db/calls.ts';

export type LiveListener = (call: LiveCall) => void;

export class LiveHub {
  readonly #byTenant = new Map<string, Set<LiveListener>>();
  /** open streams per dashboard session (keyed by a hash of its token) */
  readonly #streams = new Map<string, number>();

  /** counts a stream for the session; undefined when it has `max` open already, else the release */
  openStream(sessionKey: string, max: number): (() => void) | undefined {
    const n = this.#streams.get(sessionKey) ?? 0;
    if (n >= max) return undefined;
    this.#streams.set(sessionKey, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#streams.get(sessionKey) ?? 1) - 1;
      if (left > 0) this.#streams.set(sessionKey, left);
      else this.#streams.delete(sessionKey);
    };
  }

  subscribe(tenantId: string, fn: LiveListener): () => void {
    let set = this.#byTenant.get(tenantId);
    if (!set) this.#byTenant.set(tenantId, (set = new Set()));
    set.add(fn);
    return () => {
      set.delete(fn);
      if (!set.size) this.#byTenant.delete(tenantId);
    };
  }

  publish(tenantId: string, call: LiveCall): void {
    for (const fn of this.#byTenant.get(tenantId) ?? []) fn(call);
  }

  listeners(tenantId: string): number {
    return this.#byTenant.get(tenantId)?.size ?? 0;
  }
}

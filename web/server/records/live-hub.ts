/** Live call changes fanned out to the dashboards of the call's clinic (Server-Sent Events on /api/live/stream). */
import type { LiveCall } from '../db/calls.ts';

export type LiveListener = (call: LiveCall) => void;

export class LiveHub {
  readonly #byTenant = new Map<string, Set<LiveListener>>();

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

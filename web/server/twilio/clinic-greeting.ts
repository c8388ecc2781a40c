/** The clinic's greeting as its dashboard settings say it: what Twilio speaks first on a relay call. */
import { getSettings, tenantBySlug } from '../db/tenants.ts';
import type { Records } from '../records/index.ts';

export function clinicGreeting(records: Records): (tenant: string) => Promise<string | undefined> {
  return async (slug) => {
    // read through records.deps.db at call time: the web server wraps it with its timing after start
    const t = await tenantBySlug(records.deps.db, slug);
    return t ? (await getSettings(records.deps.db, t.id)).greeting : undefined;
  };
}

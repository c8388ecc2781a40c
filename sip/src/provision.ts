import type { ProvisionConfig } from './config.ts';
import { applyLiveKit, planLiveKit, readLiveKit, sipClient } from './livekit-side.ts';
import { changesNothing, formatPlan, type Action } from './plan.ts';
import { applyTwilio, planTwilio, readTwilio, twilioClient } from './twilio-side.ts';

export interface ProvisionResult {
  livekit: Action[];
  twilio?: Action[];
  /** false when everything already matched */
  changed: boolean;
  ids?: { inboundId: string; dispatchId: string; outboundId?: string; twilioTrunkSid?: string };
}

/** Reads both sides, prints the plan, and (unless dryRun) applies it. */
export async function provision(
  c: ProvisionConfig,
  o: { dryRun: boolean; log: (line: string) => void },
): Promise<ProvisionResult> {
  const lk = sipClient(c);
  const lkState = await readLiveKit(lk);
  const livekit = planLiveKit(c, lkState);
  o.log(`LiveKit (${c.LIVEKIT_URL}):\n${formatPlan(livekit)}`);

  let tw:
    | { client: ReturnType<typeof twilioClient>; state: Awaited<ReturnType<typeof readTwilio>>; actions: Action[] }
    | undefined;
  if (c.TWILIO_ACCOUNT_SID) {
    const client = twilioClient(c);
    const state = await readTwilio(client, c);
    tw = { client, state, actions: planTwilio(c, state) };
    o.log(`Twilio (account ${c.TWILIO_ACCOUNT_SID.slice(0, 6)}…):\n${formatPlan(tw.actions)}`);
  } else {
    o.log('Twilio: skipped (no TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)');
  }
  const changed = !changesNothing(livekit) || (tw ? !changesNothing(tw.actions) : false);
  if (o.dryRun) {
    o.log('dry run: nothing was changed.');
    return { livekit, twilio: tw?.actions, changed };
  }
  const ids = await applyLiveKit(lk, c, lkState, livekit);
  const twilioTrunkSid = tw ? (await applyTwilio(tw.client, c, tw.state, tw.actions)).trunkSid : undefined;
  return { livekit, twilio: tw?.actions, changed, ids: { ...ids, twilioTrunkSid } };
}

/** where a caller may be handed: a phone number or a SIP address */
export const TRANSFER_TO = /^(tel:\+\d{6,15}|sip:[^\s<>"]{3,200})$/;

/** The agent's transfer request (TRANSFER_RPC_METHOD's payload), checked by both bridges. */
export function transferTarget(payload: string): string | { error: string } {
  let to: unknown;
  try {
    to = (JSON.parse(payload) as { to?: unknown }).to;
  } catch {
    return { error: 'payload must be JSON' };
  }
  if (typeof to !== 'string' || !TRANSFER_TO.test(to)) return { error: 'bad "to"' };
  return to;
}

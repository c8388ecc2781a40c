/** The TwiML documents the webhook and the transfer send, built with the twilio SDK's VoiceResponse. */
import twilio from 'twilio';

/** <Connect><Stream>: a bidirectional Media Stream to the bridge; the token is the URL's last segment. */
export function connectStreamTwiml(streamUrl: string, parameters: Record<string, string>): string {
  const r = new twilio.twiml.VoiceResponse();
  const stream = r.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
  return r.toString();
}

/** A number this server does not answer for: rejected before it rings, nothing billed. */
export function rejectTwiml(): string {
  const r = new twilio.twiml.VoiceResponse();
  r.reject({ reason: 'rejected' });
  return r.toString();
}

/** The transfer: Twilio leaves the stream and dials the front desk (tel:+1… or sip:…). */
export function dialTwiml(to: string): string {
  const r = new twilio.twiml.VoiceResponse();
  const dial = r.dial();
  if (to.startsWith('sip:')) dial.sip(to);
  else dial.number(to.replace(/^tel:/, ''));
  return r.toString();
}

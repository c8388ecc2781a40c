/** The TwiML documents the webhook and the transfer send, built with the twilio SDK's VoiceResponse. */
import twilio from 'twilio';

/** <Connect><Stream>: a bidirectional Media Stream to the bridge; the token is the URL's last segment. */
export function connectStreamTwiml(streamUrl: string, parameters: Record<string, string>): string {
  const r = new twilio.twiml.VoiceResponse();
  const stream = r.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
  return r.toString();
}

/**
 * <Connect action><ConversationRelay>: Twilio hears and speaks, the bridge exchanges text. Her greeting
 * is spoken by Twilio at once (welcomeGreeting); the caller may talk over her (interruptible any) and
 * use the keypad (dtmfDetection). When the session ends with handoffData Twilio posts it to `action`.
 */
export function connectRelayTwiml(relayUrl: string, welcomeGreeting: string, action: string): string {
  const r = new twilio.twiml.VoiceResponse();
  r.connect({ action }).conversationRelay({
    url: relayUrl,
    welcomeGreeting,
    interruptible: 'any',
    dtmfDetection: true,
  });
  return r.toString();
}

/** The end of a relay session with nothing to hand off: the call is over. */
export function hangupTwiml(): string {
  const r = new twilio.twiml.VoiceResponse();
  r.hangup();
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

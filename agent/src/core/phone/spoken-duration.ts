/**
 * How long a sentence takes to say, for a channel whose voice is someone else's (Twilio
 * ConversationRelay speaks her text itself and reports nothing until the caller talks over her).
 * Her turn is paced by this estimate as if it were her audio: she is SPEAKING for as long, the
 * silence prompt waits until after it, and a reply cut off is kept up to the sentence that was being
 * said. Pure.
 */
/** a telephone TTS voice at a conversational pace: about 165 words a minute (TWILIO_RELAY_MS_PER_WORD) */
export const MS_PER_WORD = 360;
/** the pause a voice leaves after a sentence */
export const SENTENCE_PAUSE_MS = 250;

/** `msPerWord`: the pace of the voice that says it (a faster or slower Twilio voice than the default) */
export function spokenMs(text: string, msPerWord: number = MS_PER_WORD): number {
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  return words === 0 ? 0 : words * msPerWord + SENTENCE_PAUSE_MS;
}

/**
 * What a finished reply leaves behind: the rule for what the conversation history (what the model
 * reads next turn), the caller's screen and the call's records keep of it. Shared by a live call
 * (through TurnCore) and the text path (call/text-conversation.ts), so both keep the same things.
 */

/** How a reply ended, as far as the rule needs to know. */
export interface ReplyEnd {
  /** the caller's words it answered (absent for a line she says by herself) */
  userText?: string | undefined;
  /** at least one frame of it reached her voice */
  audioStarted: boolean;
  /** stopped (barge-in, hang-up) rather than ending by itself */
  aborted: boolean;
  /** what the caller heard (everything queued unless she was cut off) */
  heard: string;
  /** everything whose audio was queued */
  spoken: string;
  /** tool calls made while answering (each with its output) */
  toolCalls: number;
}

/** What is kept of one reply; absent parts are kept nowhere. */
export interface ReplyKeep {
  /** the caller's words, kept with the answer */
  user?: string;
  /** the tool calls and their outputs stay in the history */
  tools: boolean;
  /** what she was heard saying; absent when nothing was heard */
  heard?: string;
  /** her line's final text on the caller's screen; absent when she never spoke */
  transcript?: string;
  /** she was stopped before the end */
  interrupted: boolean;
}

/**
 * A reply that was heard, or that ran a tool, is kept: a tool that ran (a booking made) stays even
 * if she was cut off before speaking, since the model must know the booking exists. Of her words,
 * only what the caller heard is kept. A reply that did neither leaves nothing (its words are answered
 * again, or were never spoken).
 */
export function keepOfReply(r: ReplyEnd): ReplyKeep | undefined {
  if (!r.audioStarted && r.toolCalls === 0) return undefined;
  const transcript = r.audioStarted ? r.heard || r.spoken : '';
  if (!r.userText && r.toolCalls === 0 && !transcript) return undefined; // nothing to keep
  return {
    ...(r.userText ? { user: r.userText } : {}),
    tools: r.toolCalls > 0,
    ...(r.audioStarted && r.heard ? { heard: r.heard } : {}),
    ...(transcript ? { transcript } : {}),
    interrupted: r.aborted,
  };
}

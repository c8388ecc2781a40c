/** What she says by herself (besides the clinic's greeting). Pure; per-clinic wording can override. */
export interface AgentLines {
  /** said after a silence, the n-th prompt uses entry n-1 (the last one repeats) */
  silencePrompts: string[];
  goodbye: string;
  /** before a fallback answer, when a provider failed */
  apology: string;
}

export function defaultAgentLines(clinicName: string): AgentLines {
  return {
    silencePrompts: ['Are you still there?', "I'm still here. Is there anything else I can help with?"],
    goodbye: `I'll let you go now. Thanks for calling ${clinicName}. Goodbye!`,
    apology: 'Sorry, I had a little trouble there.',
  };
}

export function silencePrompt(lines: AgentLines, count: number): string {
  return lines.silencePrompts[Math.min(count, lines.silencePrompts.length) - 1] ?? 'Are you still there?';
}

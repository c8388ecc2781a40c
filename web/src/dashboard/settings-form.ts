// Settings form values ↔ the API's settings object, and the checks the page makes before sending.
// The server validates again and names the field; both kinds of error are shown next to the field.
import type { Settings } from '@voxanne/contracts/dashboard';

export const SETTINGS_FIELDS = [
  'agentName',
  'voice',
  'greeting',
  'instructions',
  'silenceTimeoutMs',
  'knowledgeBase',
] as const;
export type SettingsField = (typeof SETTINGS_FIELDS)[number];
export type FormValues = Record<SettingsField, string>;
export type FieldErrors = Partial<Record<SettingsField, string>>;

export function toFormValues(s: Settings): FormValues {
  return {
    agentName: s.agentName ?? '',
    voice: s.voice ?? '',
    greeting: s.greeting ?? '',
    instructions: s.instructions ?? '',
    silenceTimeoutMs: String(s.silenceTimeoutMs ?? ''),
    knowledgeBase: s.knowledgeBase ?? '',
  };
}

export function validateSettings(v: FormValues): { ok: true; value: Settings } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (!v.agentName.trim()) errors.agentName = 'Enter the name she uses on calls.';
  else if (v.agentName.trim().length > 60) errors.agentName = 'Keep the name to 60 characters or fewer.';
  if (!v.voice.trim()) errors.voice = 'Choose a voice.';
  if (!v.greeting.trim()) errors.greeting = 'Enter the greeting callers hear first.';
  const timeout = v.silenceTimeoutMs.trim();
  if (!/^\d+$/.test(timeout)) errors.silenceTimeoutMs = 'Enter a whole number of milliseconds, for example 3000.';
  if (!v.knowledgeBase.trim()) errors.knowledgeBase = 'The knowledge base cannot be empty.';
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      agentName: v.agentName.trim(),
      voice: v.voice.trim(),
      greeting: v.greeting.trim(),
      instructions: v.instructions,
      silenceTimeoutMs: Number(timeout),
      knowledgeBase: v.knowledgeBase,
    },
  };
}

/** A 400 from PUT /api/settings names one field; an unknown field name goes to the form-level message. */
export function serverFieldError(body: { error?: string; field?: string } | null): {
  field: SettingsField | null;
  message: string;
} {
  const message = body?.error || 'The settings could not be saved.';
  const field = (SETTINGS_FIELDS as readonly string[]).find(
    (f) => f === body?.field || body?.field?.startsWith(`${f}.`),
  ) as SettingsField | undefined;
  return { field: field ?? null, message };
}

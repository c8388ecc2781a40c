export { respond, greeting, INTENTS, type Intent, type Reply, type RespondOptions, type Turn } from './respond.ts';
export { describeHoursForSpeech, describeDayForSpeech, dayInTimeZone, WEEK } from './hours.ts';

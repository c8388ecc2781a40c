/**
 * The words that signal what a caller wants. These are about language, never about the clinic:
 * every clinic fact (services, prices, hours, policies) comes from the knowledge base.
 * `exact` lists are short or common words where fuzzy matching would misfire ("where" ≈ "there");
 * `fuzzy` lists are distinctive words worth matching loosely ("ours" ≈ "hours").
 */
import type { Day } from '@voxanne/contracts/knowledge-base';

export interface CueSet {
  exact: readonly string[];
  fuzzy: readonly string[];
}

const cue = (exact: readonly string[], fuzzy: readonly string[] = []): CueSet => ({ exact, fuzzy });

export const CUES = {
  injection: cue([
    'ignore previous', 'ignore all', 'ignore your', 'ignore the above', 'ignore everything', 'previous instructions',
    'your instructions', 'new instructions', 'system prompt', 'your prompt', 'the prompt', 'you are now', 'youre now',
    'from now on you', 'pretend to be', 'pretend you', 'act as', 'act like', 'role play', 'roleplay', 'jailbreak',
    'developer mode', 'forget everything', 'forget your', 'disregard', 'reveal your', 'repeat after me', 'say the following',
  ]),
  greeting: cue(['hello', 'hi', 'hey', 'hiya', 'howdy', 'good morning', 'good afternoon', 'good evening', 'hi there']),
  smallTalk: cue(['how are you', 'how r you', 'hows it going', 'how is it going', 'how are things', 'how you doing', 'how are you doing', 'hows your day']),
  identity: cue([
    'who are you', 'whats your name', 'what is your name', 'who am i talking to', 'who is this', 'are you a robot',
    'are you real', 'are you human', 'are you a person', 'are you a bot', 'are you ai', 'is this a robot',
    'is this a machine', 'are you a machine', 'are you a computer',
  ]),
  thanks: cue(['thank you', 'thanks', 'thank u', 'appreciate it', 'cheers']),
  goodbye: cue([
    'bye', 'goodbye', 'good bye', 'bye bye', 'see you', 'have a good day', 'have a nice day', 'have a great day',
    'talk to you later', 'thats all', 'that is all', 'thats it', 'that is it', 'im done', 'nothing else', 'all set',
    'ill call back', 'i will call back', 'call back later', 'ill call you back', 'ill call later',
  ]),
  yes: cue(['yes', 'yeah', 'yep', 'yup', 'sure', 'ok', 'okay', 'please', 'sounds good', 'that would be great', 'of course', 'definitely', 'go ahead', 'alright']),
  no: cue(['no', 'nope', 'nah', 'not now', 'not really', 'im good', 'im fine', 'all good', 'dont']),
  humanVerb: cue(['talk to', 'speak to', 'speak with', 'talk with', 'transfer me', 'connect me', 'put me through', 'get me', 'reach']),
  humanTarget: cue([
    'person', 'someone', 'somebody', 'human', 'receptionist', 'operator', 'representative', 'front desk', 'staff',
    'manager', 'nurse', 'doctor', 'surgeon', 'anyone', 'anybody', 'real', 'live agent', 'people',
  ]),
  humanAlone: cue(['operator', 'representative', 'real person', 'live person', 'human being', 'a human', 'transfer me']),
  callback: cue(['call me back', 'callback', 'call back', 'give me a call', 'call me', 'have someone call', 'return my call', 'ring me']),
  book: cue(
    ['book', 'booking', 'schedule a', 'schedule an', 'schedule me', 'make an appointment', 'set up', 'availability',
      'openings', 'slot', 'slots', 'sign up', 'appointment', 'appointments'],
    ['appointment'],
  ),
  /** booking words that also occur in questions about a service ("is botox available") */
  bookWeak: cue(['available', 'come in', 'next week', 'this week']),
  reschedule: cue(['reschedule', 'move my', 'change my', 'different time', 'different day', 'postpone', 'push back'], ['reschedule']),
  cancel: cue(['cancel', 'cancel my', 'call off', 'cancelling', 'canceling']),
  policyQuestion: cue(['policy', 'fee', 'fees', 'notice', 'penalty', 'charge', 'what happens if', 'how much notice', 'charged']),
  hours: cue(
    ['open', 'opens', 'close', 'closes', 'closing', 'closed', 'what time', 'when are you', 'hour', 'opening times', 'opening hours', 'business hours', 'schedule'],
    ['hours'],
  ),
  asksOpen: cue(['open', 'opens', 'opening', 'start', 'starts']),
  asksClose: cue(['close', 'closes', 'closing', 'shut', 'until', 'til', 'till', 'last']),
  address: cue(
    ['located', 'location', 'directions', 'direction', 'where are you', 'where is the', 'where is your', 'where r you',
      'wheres the', 'wheres your', 'wheres the clinic', 'wheres the office',
      'how do i get', 'how to get', 'get there', 'find you', 'what street', 'which street', 'what city', 'zip',
      'zip code', 'postcode', 'postal code', 'map', 'where at'],
    ['address'],
  ),
  addressWeak: cue(['where', 'wheres']),
  postcode: cue(['zip', 'zip code', 'postcode', 'postal code']),
  phone: cue(['phone', 'phone number', 'telephone', 'your number', 'the number', 'call you', 'contact number', 'number to call', 'whats the number',
    'what number', 'which number', 'number for'], ['telephone']),
  list: cue(
    ['services', 'service', 'procedures', 'treatments', 'surgeries', 'what do you do', 'what do you offer', 'what do you have',
      'what can you do', 'what kind', 'what kinds', 'options', 'offerings', 'what else do you', 'what you offer'],
    ['procedures', 'treatments'],
  ),
  doYouOffer: cue(['do you do', 'do you offer', 'do you have', 'do you perform', 'can you do', 'do you guys do', 'do you guys offer', 'you do', 'you offer']),
  price: cue(
    ['how much', 'cost', 'costs', 'price', 'prices', 'pricing', 'expensive', 'cheap', 'charge', 'fee', 'fees', 'rate', 'rates', 'quote', 'dollars', 'ballpark'],
    ['price', 'pricing', 'expensive'],
  ),
  recovery: cue(
    ['how long', 'time off', 'off work', 'back to work', 'down time', 'heal', 'bruising', 'swelling'],
    ['recovery', 'recover', 'recovering', 'downtime', 'healing'],
  ),
  describe: cue([
    'what is', 'whats', 'what are', 'tell me about', 'tell me more', 'explain', 'what does', 'how does', 'involve',
    'involved', 'information', 'info', 'details', 'describe', 'learn about', 'know about', 'more about',
  ]),
  followUp: cue(['what about', 'how about', 'and', 'also', 'same for', 'what of']),
  pronoun: cue(['it', 'that', 'this', 'those', 'them', 'they', 'one']),
} as const satisfies Record<string, CueSet>;

export const DAY_WORDS: ReadonlyArray<[string, readonly Day[]]> = [
  ['monday', ['monday']],
  ['tuesday', ['tuesday']],
  ['wednesday', ['wednesday']],
  ['thursday', ['thursday']],
  ['friday', ['friday']],
  ['saturday', ['saturday']],
  ['sunday', ['sunday']],
  ['weekend', ['saturday', 'sunday']],
  ['weekends', ['saturday', 'sunday']],
  ['weekday', ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']],
  ['weekdays', ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']],
];

/** Words naming the day relative to today; resolved only when the caller of respond() knows today. */
export const RELATIVE_DAYS = { today: 0, tonight: 0, now: 0, tomorrow: 1 } as const;

/** Verbs that can open a service description: "a tummy tuck removes…" rather than "…involves removes…". */
export const DESCRIPTION_VERBS = new Set([
  'removes', 'lifts', 'reshapes', 'tightens', 'reduces', 'smooths', 'restores', 'relaxes', 'moves', 'adds', 'improves',
  'corrects', 'treats', 'enlarges', 'shapes', 'raises', 'repairs', 'uses', 'takes', 'gives', 'helps', 'replaces',
  'contours', 'rejuvenates', 'refreshes', 'fills', 'softens', 'targets', 'is', 'are',
]);

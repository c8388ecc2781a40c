export {
  humanize,
  normalizeSentenceText,
  ReplyHumanizer,
  MAX_SENTENCES,
  MAX_WORDS,
  type HumanizeOptions,
} from './humanizer.ts';
export { extractCallerName, type CallerName } from './caller-name.ts';
export { CallerAddressBook } from './caller-address.ts';
export { speakNumbers, yearToWords, hasDigits } from './spoken-numbers.ts';
export { ordinalToWords } from '../text/number-words.ts';
export { contract, uncontracted } from './contractions.ts';
export { spacingProblems, fixSpacing } from './punctuation.ts';
export { findFillers } from './fillers.ts';
export { addressProblems } from './direct-address.ts';
export { countWords, splitSentences, shortenSentence, MAX_SENTENCE_WORDS } from './sentences.ts';

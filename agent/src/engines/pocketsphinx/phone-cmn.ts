import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_CACHE_DIR } from './domain-model.ts';

/**
 * Where a phone line's cepstral mean starts.
 *
 * pocketsphinx normalises each stream's features by a running cepstral mean (live CMN). It starts at the
 * acoustic model's `-cmninit` (wideband speech) and is only updated at the end of an utterance, each time
 * moving part of the way to what it heard: the first thing a caller says, and much of the second, are
 * decoded against a mean that is not theirs. Phone audio (8 kHz μ-law, through LiveKit SIP, resampled
 * for the decoder and with the band fill) sits far from the wideband value (c0 about 50 against 41, c3
 * about 10 higher), and slt's 'can I speak to a person' as a call's first utterance came out
 * 'can i pay for a person' or 'can i pay the very thing', which the same decoder heard as 'can i keep to a
 * person' once its mean had settled (the same audio, decoded fresh and warmed).
 *
 * This value is where the live mean settles on the real phone path: the audio the recogniser got in
 * `npm run bench:sip-stt` (20 clinic utterances per flite voice), fed again to pocketsphinx_continuous
 * (`-cmn live`, its "Update to" lines after the first three averaged), then the mean of the four voices
 * (slt, rms, awb, kal; they differ by up to 13 on one coefficient, a speaker's own mean is what live CMN
 * is for). Phone streams only; web callers keep the model's value.
 */
export const PHONE_CMN_INIT = [
  50.32, 1.71, 1.32, 14.96, 7.14, -8.17, 10.45, -5.84, -6.13, 4.4, -1.57, 3.83, 2.78,
] as const;

/**
 * The acoustic model's feat.params text with its `-cmninit` line replaced by `cmninit` (added if it had
 * none); every other setting kept as it was. Pure.
 */
export function withCmnInit(featParams: string, cmninit: readonly number[]): string {
  const kept = featParams.split(/\r?\n/).filter((line) => line.trim() !== '' && !/^\s*-cmninit\s/.test(line));
  return `${[...kept, `-cmninit ${cmninit.map((v) => v.toFixed(2)).join(',')}`].join('\n')}\n`;
}

/**
 * The decoder flags that start a phone stream's cepstral mean at PHONE_CMN_INIT: a `-featparams` file, the
 * model's own with the phone value. Not `-cmninit` as a flag: pocketsphinx reads the model's feat.params
 * after the command line, and its `-cmninit` wins. The file is named by its content in the domain models'
 * cache directory (written once, atomically, so concurrent processes agree). A model directory without
 * feat.params keeps its own settings: {}.
 */
export function phoneFeatParams(hmm: string, cacheDir = DEFAULT_MODEL_CACHE_DIR): Record<string, string> {
  const source = join(hmm, 'feat.params');
  if (!existsSync(source)) return {};
  const text = withCmnInit(readFileSync(source, 'utf8'), PHONE_CMN_INIT);
  const path = join(cacheDir, `phone-feat-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.params`);
  if (!existsSync(path)) {
    mkdirSync(cacheDir, { recursive: true });
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, text);
    renameSync(partial, path);
  }
  return { '-featparams': path };
}

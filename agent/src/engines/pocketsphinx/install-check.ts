import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DEBIAN_POCKETSPHINX, DecoderError } from './decoder.ts';

export interface PocketsphinxInstall {
  pocketsphinxLib?: string | undefined;
  sphinxbaseLib?: string | undefined;
  hmm?: string | undefined;
}

/**
 * Checks that the recogniser's libraries load and its acoustic model exists, in a few milliseconds, so a
 * missing Debian package is one sentence at start instead of a decoder thread dying at the first call.
 * (The decoder's worker thread would only say "cannot open shared object file", naming no file.)
 */
export function checkPocketsphinxInstall(o: PocketsphinxInstall = {}): void {
  const koffi = createRequire(import.meta.url)('koffi') as { load(path: string): unknown };
  const libs = [
    ['POCKETSPHINX_LIB', o.pocketsphinxLib ?? DEBIAN_POCKETSPHINX.pocketsphinxLib, 'libpocketsphinx3'],
    ['SPHINXBASE_LIB', o.sphinxbaseLib ?? DEBIAN_POCKETSPHINX.sphinxbaseLib, 'libsphinxbase3'],
  ] as const;
  for (const [envVar, path, pkg] of libs) {
    try {
      koffi.load(path);
    } catch (e) {
      throw new DecoderError(
        `the offline speech recogniser's library ${path} could not be loaded (${(e as Error).message}): ` +
          `install Debian's ${pkg} (npm start does this) or set ${envVar} to the library's path`,
      );
    }
  }
  const hmm = o.hmm ?? DEBIAN_POCKETSPHINX.hmm;
  if (!existsSync(hmm)) {
    throw new DecoderError(
      `the offline speech recogniser's model ${hmm} is missing: install Debian's ` +
        `pocketsphinx-en-us (npm start does this)`,
    );
  }
}

import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH, chromiumArgs } from '../../web/test/browser-support.ts';

export interface LaunchOptions {
  /** WAV file the fake microphone plays (once, then silence) */
  micWav?: string;
}

/**
 * Debian's Chromium for the whole-stack tests (flags shared with the web tests). Playwright gives each
 * launch a fresh temporary profile of its own.
 */
export async function launchChromium(o: LaunchOptions = {}): Promise<Browser> {
  const args = [
    ...chromiumArgs({ micWav: o.micWav, micOnce: true }),
    '--disable-quic',
    '--autoplay-policy=no-user-gesture-required',
  ];
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? CHROMIUM_PATH, args, headless: true });
}

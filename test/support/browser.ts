import { chromium, type Browser } from 'playwright-core';

export interface LaunchOptions {
  /** WAV file the fake microphone plays (once, then silence) */
  micWav?: string;
}

/**
 * Debian's Chromium, headless, with a fake microphone; flags keep it off the (closed) network.
 * Playwright gives each launch a fresh temporary profile of its own.
 */
export async function launchChromium(o: LaunchOptions = {}): Promise<Browser> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--autoplay-policy=no-user-gesture-required',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
  ];
  // %noloop: play the file once; after it the microphone is silent
  if (o.micWav) args.push(`--use-file-for-fake-audio-capture=${o.micWav}%noloop`);
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args, headless: true });
}

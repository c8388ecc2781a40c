// Chromium for the web tests: Debian's build, launched the way this machine requires.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface LaunchOptions {
  /** play this WAV as the microphone (otherwise Chromium's fake device beeps) */
  fakeAudioFile?: string;
  /** answer microphone prompts with "block" instead of "allow" */
  denyMicrophone?: boolean;
  viewport?: { width: number; height: number };
}

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Flags for Debian's Chromium here: headless, fake media devices, and none of the background
 * networking that would flood this closed network with refused connections.
 */
export function chromiumArgs(o: { micWav?: string; denyMicrophone?: boolean; micOnce?: boolean }): string[] {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-device-for-media-stream',
    o.denyMicrophone ? '--deny-permission-prompts' : '--use-fake-ui-for-media-stream',
  ];
  // %noloop: play the file once; after it the microphone is silent
  if (o.micWav) args.push(`--use-file-for-fake-audio-capture=${o.micWav}${o.micOnce ? '%noloop' : ''}`);
  return args;
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'voxanne-chromium-'));
  const args = chromiumArgs({ micWav: opts.fakeAudioFile, denyMicrophone: opts.denyMicrophone });
  // launchPersistentContext is Playwright's way of passing a fresh --user-data-dir
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args,
    viewport: opts.viewport ?? { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

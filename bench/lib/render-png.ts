// A results page (plot.ts's HTML) photographed by headless Chromium, as a person would see it.
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, chromiumArgs } from '../../web/test/browser-support.ts';

export async function renderPng(htmlPath: string, pngPath: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? CHROMIUM_PATH,
    args: chromiumArgs({}),
    headless: true,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 820, height: 600 } });
    await page.goto(`file://${htmlPath}`);
    await page.screenshot({ path: pngPath, fullPage: true });
    console.log(`wrote ${pngPath}`);
  } finally {
    await browser.close();
  }
}

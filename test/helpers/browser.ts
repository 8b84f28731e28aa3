/**
 * Debian's chromium driven by playwright-core, opened on a page from disk, recording what a
 * report must never do: console errors, page errors and network requests.
 */
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

// Without the background-networking flags chromium tries to reach the network at start.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface OpenedPage {
  page: Page;
  consoleErrors: string[];
  requests: string[];
  close(): Promise<void>;
}

/** Opens `fileUrl` in headless chromium with a fresh profile under `profileDir`. */
export async function openInChromium(fileUrl: string, profileDir: string): Promise<OpenedPage> {
  const context: BrowserContext = await chromium.launchPersistentContext(join(profileDir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: CHROMIUM_ARGS,
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(fileUrl, { waitUntil: 'load' });
  return { page, consoleErrors, requests, close: () => context.close() };
}

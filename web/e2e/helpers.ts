// Shared steps of the end-to-end tests: open a user in its own browser context, pick a peer,
// send, and read state that pixels show poorly (node ids, transfer state).
import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO } from './serverControl';

export const BASE = () => process.env.PARLEY_URL ?? 'http://127.0.0.1:3001/';
const SHOTS = resolve(REPO, 'test-artifacts/screenshots');

/** `log`: the page's last console lines (debug included), printed when a flaky-prone test fails. */
export interface User { name: string; ctx: BrowserContext; page: Page; errors: string[]; log: string[] }

/** Console errors that are expected: the browser's own log of a refused WebSocket during a restart. */
const BENIGN = [/WebSocket connection to .* failed/, /ERR_CONNECTION_REFUSED/];

export async function openUser(browser: Browser, name: string, colour = 'blue', prepare?: (ctx: BrowserContext) => Promise<void>, url = BASE()): Promise<User> {
  const ctx = await browser.newContext();
  await prepare?.(ctx);
  const page = await ctx.newPage();
  const errors: string[] = [];
  const log: string[] = [];
  page.on('console', (m) => {
    log.push(`${(performance.now() / 1000).toFixed(2)} ${m.type()} ${m.text()}`);
    if (log.length > 300) log.shift();
  });
  page.on('console', (m) => { if (m.type() === 'error' && !BENIGN.some((r) => r.test(m.text()))) errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.getByTestId('name-input').fill(name);
  await page.getByRole('radio', { name: colour, exact: true }).click();
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
  return { name, ctx, page, errors, log };
}

export const peerItem = (u: User, name: string) => u.page.locator(`[data-testid="peer"][data-peer-name="${name}"]`);

export async function openChat(u: User, name: string): Promise<void> {
  await expect(peerItem(u, name)).toBeVisible();
  await peerItem(u, name).click();
  await expect(u.page.getByTestId('chat-title')).toHaveText(name);
}

export async function send(u: User, text: string): Promise<void> {
  const box = u.page.getByTestId('composer');
  await box.fill(text);
  await box.press('Enter');
}

export const messageByText = (u: User, text: string) => u.page.locator('[data-testid="message"]', { has: u.page.getByTestId('message-text').getByText(text, { exact: true }) });

export async function ownId(u: User): Promise<string> {
  return u.page.evaluate(() => (window as unknown as { parley: { getState(): { ownId?: string } } }).parley.getState().ownId ?? '');
}

/**
 * The bytes a user gets from a file card's Download button: a real browser download of its
 * blob: URL (the page's Content-Security-Policy does not let scripts fetch blob: URLs).
 */
export async function downloadFile(card: Locator): Promise<Buffer> {
  const [download] = await Promise.all([card.page().waitForEvent('download'), card.getByTestId('file-download').click()]);
  const path = await download.path();
  return readFileSync(path);
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // Finite CSS transitions (MUI colour changes, progress) are fast-forwarded: no half-faded shots.
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), animations: 'disabled' });
}

/** Runs `body`; when it throws, prints what each page logged and its peer state, then rethrows. */
export async function withPageLogs(users: User[], body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    for (const u of users) {
      const state = await u.page.getByTestId('peer-state').allTextContents().catch(() => []);
      console.log(`--- ${u.name}: peer-state ${JSON.stringify(state)}\n${u.log.join('\n')}`);
    }
    throw e;
  }
}

export function expectNoConsoleErrors(...users: User[]): void {
  for (const u of users) expect(u.errors, `console errors of ${u.name}`).toEqual([]);
}

// A LAN self-host served over plain http from a name that is not loopback: the browser gives the
// page an insecure context (no crypto.randomUUID, no crypto.subtle), and everything on the main
// path must still work (issue 13). parley.lan is mapped to 127.0.0.1 inside this Chromium only.
import { test, expect, chromium, type Browser } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { CHROMIUM_ARGS } from '../playwright.config';
import { BASE, downloadFile, expectNoConsoleErrors, messageByText, openChat, openUser, send, type User } from './helpers';

let browser: Browser;
const users: User[] = [];

test.beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP parley.lan 127.0.0.1'],
  });
});

test.afterAll(async () => {
  for (const u of users) await u.ctx.close();
  await browser?.close();
});

test('two visitors on http://parley.lan: an insecure context, and chat and a file work', async () => {
  const lan = new URL(BASE());
  lan.hostname = 'parley.lan';
  const alice = await openUser(browser, 'lan-alice', 'purple', undefined, lan.href);
  const bob = await openUser(browser, 'lan-bob', 'green', undefined, lan.href);
  users.push(alice, bob);
  for (const u of [alice, bob]) {
    expect(await u.page.evaluate(() => ({ secure: window.isSecureContext, uuid: typeof crypto.randomUUID, subtle: typeof crypto.subtle })))
      .toEqual({ secure: false, uuid: 'undefined', subtle: 'undefined' });
  }

  await openChat(alice, 'lan-bob');
  await send(alice, 'hello over plain http');
  await expect(messageByText(alice, 'hello over plain http').getByTestId('delivered')).toBeVisible();
  await openChat(bob, 'lan-alice');
  await expect(messageByText(bob, 'hello over plain http')).toBeVisible();
  await send(bob, 'and back');
  await expect(messageByText(alice, 'and back')).toBeVisible();

  const content = randomBytes(3 * 1024 * 1024 + 17);
  await alice.page.getByTestId('file-input').setInputFiles({ name: 'lan.bin', mimeType: 'application/octet-stream', buffer: content });
  const card = bob.page.locator('[data-testid="file-card"][data-file-name="lan.bin"]');
  await expect(card).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const got = await downloadFile(card);
  expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));

  // The safety number needs no secure-context API either.
  await bob.page.getByTestId('safety-button').click();
  await expect(bob.page.getByTestId('safety-number')).toHaveText(/^(\d{5}){12}$/);
  expectNoConsoleErrors(alice, bob);
});

// Bot interop through a real parley-server: a bot-initiated audio offer with playback controls,
// live msgpatch updates, and hostile input from a peer, against a scripted bot page.
import { test, expect } from '@playwright/test';
import { expectNoConsoleErrors, messageByText, openChat, openUser, send, shot, type User } from './helpers';
import { startFakeBot, type FakeBot } from './fakeBot';

test.describe.configure({ mode: 'serial' });

let erin: User;
let bot: FakeBot;

test.afterAll(async () => {
  await erin?.ctx.close();
  await bot?.ctx.close();
});

test('bot audio plays with play/pause, volume and a level meter', async ({ browser }) => {
  bot = await startFakeBot(browser, 'FakeMusicBot');
  erin = await openUser(browser, 'erin', 'indigo');
  await openChat(erin, 'FakeMusicBot');
  await send(erin, 'hello');
  await expect(messageByText(erin, 'echo: hello')).toBeVisible();
  await expect(messageByText(erin, 'hello').getByTestId('delivered')).toBeVisible();
  await send(erin, '/play');
  await expect(messageByText(erin, 'Now playing: A4')).toBeVisible();
  const player = erin.page.getByTestId('audio-player');
  await expect(player).toBeVisible();
  await player.getByRole('button', { name: 'Play audio' }).click();
  await expect(player.getByRole('button', { name: 'Pause audio' })).toBeVisible();
  await expect(player.getByRole('slider', { name: 'Volume' })).toBeVisible();
  await expect.poll(async () => Number(await player.getByRole('img', { name: 'Audio level' }).getAttribute('data-level')), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await shot(erin.page, '10-bot-audio');
  await player.getByRole('button', { name: 'Pause audio' }).click();
  await expect(player.getByRole('button', { name: 'Play audio' })).toBeVisible();
});

test('msgpatch updates a bot message in place', async () => {
  await send(erin, '/now');
  await expect(messageByText(erin, 'clock 1 and more')).toBeVisible();
  await expect(messageByText(erin, 'clock 0')).toHaveCount(0);
});

test('a checksum mismatch and an oversized file fail with a clear error', async () => {
  await send(erin, '/badfiles');
  const corrupt = erin.page.locator('[data-testid="file-card"][data-file-name="corrupt.bin"]');
  const oversize = erin.page.locator('[data-testid="file-card"][data-file-name="oversize.bin"]');
  await expect(corrupt).toHaveAttribute('data-state', 'failed');
  await expect(corrupt.getByTestId('file-error')).toContainText('checksum mismatch');
  await expect(oversize).toHaveAttribute('data-state', 'failed');
  await expect(oversize.getByTestId('file-error')).toContainText('more data than announced');
  await expect(corrupt.getByTestId('file-download')).toHaveCount(0);
  await shot(erin.page, '11-file-errors');
});

test('hostile peer input is contained', async () => {
  await send(erin, 'victim');
  await expect(messageByText(erin, 'still alive')).toBeVisible();
  // Garbage and empty messages leave no empty bubbles.
  await expect(erin.page.locator('[data-testid="message-text"]').filter({ hasText: /^$/ })).toHaveCount(0);
  await expect(erin.page.getByText('numeric id')).toHaveCount(0);
  // The user's own message was neither amended, deleted nor patched by the peer.
  await expect(messageByText(erin, 'victim')).toBeVisible();
  await expect(erin.page.getByText('HIJACKED')).toHaveCount(0);
  await expect(erin.page.getByText('PATCHED')).toHaveCount(0);
  // Markup is shown as text; nothing ran.
  await expect(messageByText(erin, '<img src=x onerror="window.pwned=1">')).toBeVisible();
  expect(await erin.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await expect(erin.page.locator('[data-testid="messages"] img[src="x"]')).toHaveCount(0);
  // The unsafe thumbnail is not shown; the file without a channel fails visibly.
  await expect(erin.page.locator('img[src^="javascript:"]')).toHaveCount(0);
  await expect(erin.page.locator('[data-testid="file-card"][data-file-name="../../evil.svg"]')).toBeVisible();
  expectNoConsoleErrors(erin);
  expect(bot.errors).toEqual([]);
});

// Interop with the real Parley bots (PROTOCOL.md §9), when a parley-bots binary is built:
// EchoBot (text and file echo), ClockBot (msgpatch), MusicBot (bot-initiated audio offer).
// Skipped when ${BUILD_DIR}/parley-bots (or $PARLEY_BOTS) does not exist, or with PARLEY_E2E_BOTS=0.
import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { downloadFile, expectNoConsoleErrors, messageByText, openChat, openUser, peerItem, send, shot, type User } from './helpers';
import { REPO, readState } from './serverControl';

const BOTS = process.env.PARLEY_BOTS ?? resolve(REPO, process.env.BUILD_DIR ?? 'build', 'parley-bots');

test.describe.configure({ mode: 'serial' });
test.skip(!existsSync(BOTS) || process.env.PARLEY_E2E_BOTS === '0', `no parley-bots at ${BOTS} (or PARLEY_E2E_BOTS=0)`);

let bots: ChildProcess | undefined;
let fd: number | undefined;
const logFd = () => {
  mkdirSync(resolve(REPO, 'test-artifacts'), { recursive: true });
  return (fd ??= openSync(resolve(REPO, 'test-artifacts/parley-bots.log'), 'w'));
};
let user: User;
const botsData = mkdtempSync(join(tmpdir(), 'parley-e2e-bots-'));

test.beforeAll(async ({ browser }) => {
  const { port } = readState();
  bots = spawn(BOTS, [
    '--ws-server', `ws://127.0.0.1:${port}/ws`, '--ice-server', 'none', '--ice-loopback-only',
    '--bots', 'EchoBot,ClockBot,MusicBot', '--bots-secret-env-file', '', '--data-dir', botsData,
  ], { stdio: ['ignore', logFd(), logFd()] });
  user = await openUser(browser, 'frank', 'cyan');
  // Bots register under their built-in names; the list refreshes on `online`.
  for (const name of ['EchoBot', 'ClockBot', 'MusicBot']) await expect(peerItem(user, name)).toBeVisible({ timeout: 30_000 });
});

test.afterAll(async () => {
  bots?.kill('SIGTERM');
  await user?.ctx.close();
  rmSync(botsData, { recursive: true, force: true });
});

test('EchoBot echoes text (ACKed) and files', async () => {
  await openChat(user, 'EchoBot');
  await send(user, 'ping echo');
  await expect(messageByText(user, 'ping echo').getByTestId('delivered')).toBeVisible();
  await expect(user.page.locator('[data-author="peer"]', { hasText: 'ping echo' })).toBeVisible();
  await user.page.getByTestId('file-input').setInputFiles({ name: 'echo.bin', mimeType: 'application/octet-stream', buffer: Buffer.from('echo me back, byte for byte') });
  const cards = user.page.locator('[data-testid="file-card"][data-file-name="echo.bin"]');
  await expect(cards).toHaveCount(2, { timeout: 30_000 });
  await expect(cards.nth(0)).toHaveAttribute('data-state', 'done');
  await expect(cards.nth(1)).toHaveAttribute('data-state', 'done');
  const text = (await downloadFile(cards.nth(1))).toString('utf8');
  expect(text).toBe('echo me back, byte for byte');
});

test("EchoBot's /safety answer is the safety number the page shows (C++ and TypeScript agree)", async () => {
  await openChat(user, 'EchoBot');
  await send(user, '/safety');
  const reply = user.page.locator('[data-author="peer"]', { hasText: 'Safety number' });
  await expect(reply).toBeVisible();
  const groups = /(\d{5}(?: \d{5}){11})/.exec((await reply.textContent()) ?? '')?.[1];
  expect(groups).toBeTruthy();
  await user.page.getByTestId('safety-button').click();
  await expect(user.page.getByTestId('safety-number')).toHaveText(groups!.replace(/ /g, ''));
  await user.page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
});

test('ClockBot patches its clock message in place', async () => {
  await openChat(user, 'ClockBot');
  await send(user, '/now');
  const clock = user.page.locator('[data-author="peer"]', { hasText: 'Current Time:' });
  await expect(clock).toHaveCount(1);
  const first = await clock.innerText();
  await expect.poll(() => clock.innerText(), { timeout: 10_000 }).not.toBe(first);
  await expect(clock).toHaveCount(1);
});

test('MusicBot plays a track through the audio player', async () => {
  await openChat(user, 'MusicBot');
  await send(user, '/play A4');
  await expect(user.page.locator('[data-author="peer"]', { hasText: 'Now playing: A4' })).toBeVisible();
  const player = user.page.getByTestId('audio-player');
  await expect(player).toBeVisible({ timeout: 20_000 });
  await player.getByRole('button', { name: 'Play audio' }).click();
  await expect.poll(async () => Number(await player.getByRole('img', { name: 'Audio level' }).getAttribute('data-level')), { timeout: 20_000 }).toBeGreaterThan(0.01);
  await shot(user.page, '12-musicbot');
  expectNoConsoleErrors(user);
});

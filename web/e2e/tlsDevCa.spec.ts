// Built-in TLS in a real browser (issue 13): a parley-server with a certificate from
// scripts/dev-ca.sh, a Chromium whose NSS database trusts that CA (certutil, as dev-ca.sh tells
// users to do), and EchoBot over wss with --custom-ca. The page is a secure context, carries
// HSTS, and chats with the bot. A Chromium that does not trust the CA refuses the page.
import { test, expect, chromium, type Browser } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_ARGS } from '../playwright.config';
import { expectNoConsoleErrors, messageByText, openChat, openUser, peerItem, send, type User } from './helpers';
import { binaryPath, freePort, REPO, spawnServer, waitHealthy } from './serverControl';

const BOTS = resolve(REPO, process.env.BUILD_DIR ?? 'build', 'parley-bots');
test.describe.configure({ mode: 'serial' });

const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-tls-'));
const tls = join(dir, 'tls');
let url = '';
let pid = 0;
let bots: ChildProcess | undefined;
let trusting: Browser | undefined;
let user: User | undefined;

test.beforeAll(async () => {
  const made = spawnSync(resolve(REPO, 'scripts/dev-ca.sh'), ['-d', tls, 'localhost', '127.0.0.1'], { encoding: 'utf8' });
  expect(made.status, made.stderr).toBe(0);
  const port = await freePort();
  url = `https://localhost:${port}/`;
  pid = spawnServer(binaryPath(), [
    '--listen', `127.0.0.1:${port}`, '--web-root', resolve(REPO, 'web/dist'), '--ice-server', 'stun:127.0.0.1:9',
    '--data-dir', join(dir, 'data'), '--management-listen', join(dir, 'management.sock'),
    '--tls-cert', join(tls, 'server.pem'), '--tls-key', join(tls, 'server.key'),
  ], join(dir, 'server.log'), dir);
  await waitHealthy(port);
  // The CA in a fresh NSS database under a home of its own: what Chromium trusts on Linux.
  const home = join(dir, 'home');
  mkdirSync(join(home, '.pki/nssdb'), { recursive: true });
  const db = `sql:${join(home, '.pki/nssdb')}`;
  for (const args of [['-N', '-d', db, '--empty-password'], ['-A', '-d', db, '-t', 'C,,', '-n', 'Parley dev CA', '-i', join(tls, 'ca.pem')]]) {
    const r = spawnSync('certutil', args, { encoding: 'utf8' });
    expect(r.status, `certutil ${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  trusting = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, env: { ...process.env, HOME: home },
  });
  const log = openSync(join(dir, 'bots.log'), 'a');
  bots = spawn(BOTS, ['--ws-server', `wss://localhost:${port}/ws`, '--custom-ca', join(tls, 'ca.pem'), '--bots', 'EchoBot',
    '--ice-server', 'none', '--ice-loopback-only', '--bots-secret-env-file', '', '--data-dir', join(dir, 'bots-data')],
  { stdio: ['ignore', log, log] });
});

test.afterAll(async () => {
  bots?.kill('SIGTERM');
  await user?.ctx.close();
  await trusting?.close();
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  rmSync(dir, { recursive: true, force: true });
});

test('a Chromium that trusts the dev CA loads https://, is a secure context, and chats with EchoBot over wss', async () => {
  test.skip(!existsSync(BOTS), `no parley-bots at ${BOTS}`);
  const probe = await trusting!.newPage();
  const res = await probe.goto(url);
  expect(res?.status()).toBe(200);
  expect(res?.headers()['strict-transport-security']).toBe('max-age=31536000');
  await probe.close();
  user = await openUser(trusting!, 'tls-visitor', 'teal', undefined, url);
  expect(await user.page.evaluate(() => window.isSecureContext)).toBe(true);
  await expect(peerItem(user, 'EchoBot')).toBeVisible({ timeout: 30_000 });
  await openChat(user, 'EchoBot');
  await send(user, 'hello over https');
  await expect(messageByText(user, 'hello over https').getByTestId('delivered')).toBeVisible();
  await expect(user.page.locator('[data-author="peer"]', { hasText: 'hello over https' })).toBeVisible();
  expectNoConsoleErrors(user);
});

test('a Chromium that does not trust the CA refuses the page', async ({ browser }) => {
  const page = await browser.newPage();
  await expect(page.goto(url)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
  await page.close();
});

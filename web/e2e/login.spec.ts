// Sign in with GitHub, end to end in Chromium (PROTOCOL.md §4.1, §4.2, §3.4–3.6, §10.1): a real
// parley-server configured with a local stand-in for GitHub's OAuth and user API (fakeGithub.ts).
// The login buttons come from servers.json; the login runs start → authorize → callback → signed
// in with name and avatar; another page sees the user under their username with display name and
// avatar; logout ends the session. Nothing leaves the machine.
import { test, expect, type Page } from '@playwright/test';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { binaryPath, freePort, REPO, spawnServer, waitHealthy } from './serverControl';
import { FakeGithub } from './fakeGithub';
import { expectNoConsoleErrors, messageByText, openChat, peerItem, send, shot, type User } from './helpers';

test.describe.configure({ mode: 'serial' });

const github = new FakeGithub({ id: 4242001, login: 'octocat', name: 'Octo Cat' });
let base = '';
let pid = 0;
let octo: User;
let watcher: User;

test.beforeAll(async () => {
  await github.start();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'parley-login-'));
  // Kioubit is configured too (a P-521 key made here), so that both buttons are listed.
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
  writeFileSync(join(dir, 'kioubit.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  pid = spawnServer(binaryPath(), [
    '--listen', `127.0.0.1:${port}`, '--web-root', resolve(REPO, 'web/dist'), '--ice-server', 'stun:127.0.0.1:9',
    '--data-dir', join(dir, 'data'), '--management-listen', join(dir, 'management.sock'),
    '--login-success-redir-url', `${base}/`,
    '--github-login-redir-url', `${base}/api/github/login/auth`,
    '--github-oauth-base-url', github.base, '--github-api-base-url', github.base,
    '--avatar-allow-http', 'true',
    '--kioubit-login-pubkey', join(dir, 'kioubit.pem'), '--kioubit-login-redir-url', `${base}/api/kioubit/login/auth`,
    '--kioubit-auth-url', `${github.base}/kioubit-stand-in/`,
  ], join(dir, 'server.log'), dir, { GH_LOGIN_CLIENT_ID: github.clientId, GH_LOGIN_CLIENT_SECRET: github.clientSecret });
  await waitHealthy(port);
});

test.afterAll(async () => {
  await octo?.ctx.close();
  await watcher?.ctx.close();
  try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  await github.stop();
});

async function newUser(browser: import('@playwright/test').Browser, name: string): Promise<User> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/`);
  return { name, ctx, page, errors, log: [] };
}

const imageLoaded = (page: Page, selector: string) => page.locator(selector).first().evaluate((el) => {
  const img = el.tagName === 'IMG' ? (el as HTMLImageElement) : el.querySelector('img');
  return !!img && img.complete && img.naturalWidth > 0;
});

test('the login buttons servers.json lists are shown', async ({ browser }) => {
  octo = await newUser(browser, 'octo');
  const list = await (await fetch(`${base}/servers.json`)).json() as { idp: { name: string; kind: string; loginUrl: string }[] }[];
  expect(list[0].idp.map((i) => i.kind).sort()).toEqual(['github', 'kioubit']);
  await expect(octo.page.getByRole('button', { name: 'Sign in with GitHub' })).toBeVisible();
  await expect(octo.page.getByRole('button', { name: 'Sign in with Kioubit' })).toBeVisible();
  await expect(octo.page.getByRole('button', { name: 'Connect', exact: true })).toBeEnabled(); // visitors too
  await shot(octo.page, '13-login-buttons');
  // The Kioubit button starts that flow: the server sends the browser to Kioubit's page (here the stand-in).
  await octo.page.getByRole('button', { name: 'Sign in with Kioubit' }).click();
  await expect.poll(() => octo.page.url()).toContain('/kioubit-stand-in/');
  const kioubit = new URL(octo.page.url());
  expect(kioubit.searchParams.get('return')).toBe(`${base}/api/kioubit/login/auth`);
  expect(kioubit.searchParams.get('token')).toMatch(/.{16,}/);
  // Coming back without finishing: the app waits for the login, and the wait can be cancelled.
  await octo.page.goto(`${base}/`);
  await expect(octo.page.getByTestId('login-finishing')).toBeVisible();
  await octo.page.getByTestId('login-finishing').getByRole('button', { name: 'Cancel' }).click();
  await expect(octo.page.getByTestId('login-finishing')).toHaveCount(0);
  expectNoConsoleErrors(octo);
});

test('sign in with GitHub: start, authorize, callback, signed in with name and avatar', async () => {
  const page = octo.page;
  await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
  // Back in the app after start → authorize → callback → redirect.
  await expect(page.getByTestId('signed-in')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('account-name')).toHaveText('Octo Cat');
  await expect(page.getByTestId('account-username')).toHaveText('@octocat');
  await expect.poll(() => imageLoaded(page, '[data-testid="signed-in"] [data-testid="avatar-image"]')).toBe(true);
  await expect(page.getByRole('button', { name: /Connect as octocat/ })).toBeEnabled();
  await expect(page.getByTestId('name-input')).toHaveCount(0); // the name is the account's
  await shot(page, '14-signed-in');
  // The conversation with the stand-in was the real one.
  const paths = github.requests.map((r) => `${r.method} ${r.path}`);
  expect(paths).toEqual(expect.arrayContaining(['GET /login/oauth/authorize', 'POST /login/oauth/access_token', 'GET /user', 'GET /avatars/octocat.png']));
  const exchange = github.requests.find((r) => r.path === '/login/oauth/access_token')!;
  expect(exchange.contentType).toContain('application/x-www-form-urlencoded');
  expect(exchange.accept).toContain('application/json');
  await expect.poll(() => github.revoked.length).toBe(1); // the token is revoked after login (§4.2 step 8)
  // The session cookie is what the API sees.
  const status = await page.evaluate(async () => (await fetch('/api/profile/status', { credentials: 'include' })).json());
  expect(status).toEqual({ logged_in: true });

  await page.getByRole('button', { name: /Connect as octocat/ }).click();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
  await expect(page.getByTestId('own-name')).toHaveText('Octo Cat');
  const own = await page.evaluate(() => (window as unknown as { parley: { getState(): { ownName?: string } } }).parley.getState().ownName);
  expect(own).toBe('octocat'); // registered under the username (§2.6: "" → the username)
  await expect.poll(() => imageLoaded(page, '[data-testid="own-button"] [data-testid="avatar-image"]')).toBe(true);
  // A reload reconnects on its own (pinned server), still signed in, still under the username.
  await page.reload();
  await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
  await expect(page.getByTestId('own-name')).toHaveText('Octo Cat');
  expect(await page.evaluate(() => (window as unknown as { parley: { getState(): { ownName?: string } } }).parley.getState().ownName)).toBe('octocat');
  expectNoConsoleErrors(octo);
});

test('another page sees the user under their username, with display name and avatar', async ({ browser }) => {
  watcher = await newUser(browser, 'watcher');
  await watcher.page.getByTestId('name-input').fill('watcher');
  await watcher.page.getByRole('button', { name: 'Connect' }).click();
  await expect(watcher.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
  const item = watcher.page.locator('[data-testid="peer"][data-peer-username="octocat"]');
  await expect(item).toBeVisible();
  await expect(item).toHaveAttribute('data-peer-name', 'octocat');
  await expect(item).toContainText('Octo Cat');
  await expect.poll(() => imageLoaded(watcher.page, '[data-testid="peer"][data-peer-username="octocat"] [data-testid="avatar-image"]')).toBe(true);
  const conns = await watcher.page.evaluate(async () => (await fetch('/api/conns')).json()) as Record<string, { node_name: string; authentication: string; username?: string }>;
  expect(Object.values(conns).find((c) => c.node_name === 'octocat')).toMatchObject({ authentication: 'session', username: 'octocat' });
  await shot(watcher.page, '15-peer-avatar');
  await item.click();
  await expect(watcher.page.getByTestId('chat-title')).toHaveText('Octo Cat');
  await send(watcher, 'hello octocat');
  await expect(messageByText(watcher, 'hello octocat').getByTestId('delivered')).toBeVisible();
  await expect(peerItem(octo, 'watcher')).toBeVisible();
  await openChat(octo, 'watcher');
  await expect(messageByText(octo, 'hello octocat')).toBeVisible();
  // A visitor cannot take the username (§2.8 reserved names).
  const impostor = await newUser(browser, 'impostor');
  try {
    await impostor.page.getByTestId('name-input').fill('octocat');
    await impostor.page.getByRole('button', { name: 'Connect' }).click();
    await expect(impostor.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
    await expect(impostor.page.getByTestId('own-name')).not.toHaveText('octocat');
    await expect(watcher.page.locator('[data-testid="peer"][data-peer-name="octocat"]')).toHaveCount(1);
  } finally {
    await impostor.ctx.close();
  }
  expectNoConsoleErrors(octo, watcher);
});

test('logout ends the session and the user leaves', async () => {
  await octo.page.getByTestId('own-button').click();
  await octo.page.getByRole('button', { name: 'Log out' }).click();
  await expect(octo.page.getByRole('button', { name: 'Sign in with GitHub' })).toBeVisible();
  await expect(octo.page.getByTestId('signed-in')).toHaveCount(0);
  const status = await octo.page.evaluate(async () => (await fetch('/api/profile/status', { credentials: 'include' })).json());
  expect(status).toEqual({ logged_in: false });
  const stored = await octo.page.evaluate(() => [localStorage.getItem('has_logged_in'), localStorage.getItem('logged_in_as'), localStorage.getItem('pinned_server')]);
  expect(stored).toEqual(['false', null, null]);
  await expect(watcher.page.locator('[data-testid="peer"][data-peer-username="octocat"]')).toHaveCount(0);
  // A reload stays logged out.
  await octo.page.reload();
  await expect(octo.page.getByRole('button', { name: 'Sign in with GitHub' })).toBeVisible();
  await expect(octo.page.getByTestId('signed-in')).toHaveCount(0);
  expectNoConsoleErrors(octo, watcher);
});

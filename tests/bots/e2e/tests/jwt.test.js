// A bot with an account (PROTOCOL.md §9.7, §3.3): the account is provisioned with
// `parley-server bots add`, parley-bots gets the token from ECHOBOT_JWT_TOKEN and sends it as
// `Authorization: Bearer`, the server lists the bot under its username with identity jwt, and a
// page in Chromium chats with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Stack, freePort, launchChromium, waitFor } from './stack.js';

let stack, browser, page;

before(async () => {
  stack = new Stack();
  stack.port = await freePort();
  await stack.startServer();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('EchoBot with a JWT registers as its account and chats with a page', async () => {
  // The socket appears once the server listens on it.
  const token = await waitFor(async () => {
    try { return await stack.serverCli(['add', 'echo_bot', '--display-name', 'EchoBot']); } catch { return null; }
  }, 10000, 'bots add');
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'bots add prints a bare JWT');

  stack.startBots(['--bots', 'EchoBot'], { ECHOBOT_JWT_TOKEN: token });
  const entry = await waitFor(async () => {
    const conns = await (await fetch(`http://127.0.0.1:${stack.port}/conns`)).json();
    return Object.values(conns).find((c) => c.node_name === 'echo_bot');
  }, 15000, 'echo_bot in /conns');
  assert.equal(entry.authentication, 'jwt');
  assert.equal(entry.username, 'echo_bot');
  assert.equal(entry.is_bot, true);
  assert.equal(entry.attributes?.support_attachment, 'true');
  const conns = await (await fetch(`http://127.0.0.1:${stack.port}/conns`)).json();
  assert.ok(!Object.values(conns).some((c) => c.node_name === 'EchoBot'), 'no anonymous EchoBot beside it');
  const profile = await (await fetch(`http://127.0.0.1:${stack.port}/profile?username=echo_bot`)).json();
  assert.equal(profile.displayName, 'EchoBot', JSON.stringify(profile));
  assert.ok(!stack.botsLog().includes(token), 'the token reached the log');

  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${stack.port}/index.html`);
  await page.evaluate((n) => window.parley.connectSignalling(n), 'jwt-e2e');
  await page.evaluate(() => window.parley.connect('echo_bot'));
  const id = await page.evaluate(() => window.parley.send('echo_bot', 'hello, account'));
  await waitFor(async () => (await page.evaluate(() => window.parley.info('echo_bot'))).acked.includes(id), 5000, 'ACK');
  await waitFor(async () => (await page.evaluate(() => window.parley.texts('echo_bot'))).some((m) => m.text === 'hello, account'),
    5000, 'echo');
});

test('kill -9 of the server: the open chat goes on, and the bot comes back under its account with the same token', async () => {
  await stack.stopServer('SIGKILL');
  // The chat does not pass through the server: the page and the bot keep talking while it is down.
  const id = await page.evaluate(() => window.parley.send('echo_bot', 'while the server is down'));
  await waitFor(async () => (await page.evaluate(() => window.parley.info('echo_bot'))).acked.includes(id), 5000, 'ACK while down');
  await waitFor(async () => (await page.evaluate(() => window.parley.texts('echo_bot'))).some((m) => m.text === 'while the server is down'),
    5000, 'echo while down');

  // Same data directory: the account and its token survived; the bot reconnects with backoff.
  await stack.startServer();
  const entry = await waitFor(async () => {
    const conns = await (await fetch(`http://127.0.0.1:${stack.port}/conns`)).json();
    return Object.values(conns).find((c) => c.node_name === 'echo_bot');
  }, 30000, 'echo_bot back in /conns');
  assert.equal(entry.authentication, 'jwt', 'the old token is still valid after the crash');
  assert.equal(entry.username, 'echo_bot');
  const conns = await (await fetch(`http://127.0.0.1:${stack.port}/conns`)).json();
  assert.ok(!Object.values(conns).some((c) => /^echo_bot-\d+$/.test(c.node_name)), 'no second echo_bot');
});

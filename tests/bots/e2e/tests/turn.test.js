// TURN credentials for bots with a token (issue 13): parley-server hands them out at
// /ice-servers (--turn-secret-file/--turn-url), parley-bots fetches them with the bot's JWT at
// start (--ice-servers-endpoint auto, derived from --ws-server), and a connection to the bot
// gathers a relay candidate from a real coturn (use-auth-secret, same secret) on loopback: the
// credentials work end to end. With --ice-servers-endpoint none the same bot gathers none.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack, freePort, launchChromium, sleep, waitFor } from './stack.js';

const secret = 'bots-turn-e2e-secret';
let stack, browser, coturn, coturnLog, token;

before(async () => {
  stack = new Stack();
  const turnPort = await freePort();
  const relayLow = 41000 + (process.pid % 2000) * 10;
  coturnLog = join(stack.dir, 'coturn.log');
  coturn = spawn('turnserver', ['-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${turnPort}`,
    `--min-port=${relayLow}`, `--max-port=${relayLow + 9}`, '--use-auth-secret', `--static-auth-secret=${secret}`,
    '--realm=parley.test', '--allow-loopback-peers', '--no-tls', '--no-dtls', '--no-cli', '--verbose',
    '--simple-log', `--log-file=${coturnLog}`, '--no-stdout-log', `--pidfile=${join(stack.dir, 'coturn.pid')}`], { stdio: 'ignore' });
  const secretFile = join(stack.dir, 'turn-secret');
  writeFileSync(secretFile, secret, { mode: 0o600 });
  stack.serverArgs.push('--turn-secret-file', secretFile, '--turn-url', `turn:127.0.0.1:${turnPort}`, '--turn-ttl', '10m');
  stack.port = await freePort();
  await stack.startServer();
  token = await waitFor(async () => {
    try { return await stack.serverCli(['add', 'echo_bot', '--display-name', 'EchoBot']); } catch { return null; }
  }, 10000, 'bots add');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  coturn?.kill('SIGTERM');
});

const credentialLines = () => stack.botsLog().split('\n').filter((l) => /EchoBot: TURN credentials for echo_bot until /.test(l));

// Opens a page, offers to echo_bot and returns the candidates the bot sent: once one is a relay
// candidate, or after `ms` without one. The page gathers nothing (relay policy, no server), so no
// host pair on loopback connects before the bot's allocation is answered: libwebrtc gathers once
// and would drop a relay candidate that comes after the connection is up.
async function botCandidates(ms) {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${stack.port}/index.html`);
    await page.evaluate((n) => window.parley.connectSignalling(n), `turn-e2e-${Date.now()}`);
    await page.evaluate(() => { window.parley.connect('echo_bot', { iceTransportPolicy: 'relay' }); });
    const end = Date.now() + ms;
    let c;
    do {
      await sleep(200);
      c = await page.evaluate(() => window.parley.remoteCandidates('echo_bot'));
    } while (Date.now() < end && !c.some((x) => / typ relay /.test(x)));
    return c;
  } finally {
    await page.close();
  }
}

test('a bot with a token fetches TURN credentials at start and its connections gather a relay candidate', async () => {
  stack.startBots(['--bots', 'EchoBot'], { ECHOBOT_JWT_TOKEN: token });
  await waitFor(() => credentialLines().length > 0, 15000, 'the credentials log line');
  const line = credentialLines()[0];
  const [, until] = line.match(/until (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)Z/);
  const lifetime = Date.parse(`${until.replace(' ', 'T')}Z`) - Date.now();
  assert.ok(lifetime > 9 * 60e3 && lifetime <= 10 * 60e3, `--turn-ttl 10m, but: ${line}`);
  assert.match(line, /next fetch in 300s/, 'renewal at half the lifetime');
  assert.ok(!stack.botsLog().includes(token), 'the token reached the log');

  const candidates = await botCandidates(10000);
  const relay = candidates.find((x) => / typ relay /.test(x));
  assert.ok(relay, `no relay candidate from the bot:\n${candidates.join('\n')}`);
  assert.match(relay, / 127\.0\.0\.1 \d+ typ relay /, relay);
  // coturn allocated for the bot's account, named in the username the server issued.
  const log = readFileSync(coturnLog, 'utf8');
  assert.match(log, /user <\d+:echo_bot>.*ALLOCATE processed, success/, log.slice(-2000));
  assert.equal(credentialLines().length, 1, 'one fetch at start, none per connection');
});

test('with --ice-servers-endpoint none the same bot asks for nothing and gathers no relay candidate', async () => {
  await stack.stopBots();
  const before = credentialLines().length;
  stack.startBots(['--bots', 'EchoBot', '--ice-servers-endpoint', 'none'], { ECHOBOT_JWT_TOKEN: token });
  await waitFor(async () => {
    const conns = await (await fetch(`http://127.0.0.1:${stack.port}/conns`)).json();
    return Object.values(conns).some((c) => c.node_name === 'echo_bot');
  }, 15000, 'echo_bot back in /conns');
  const candidates = await botCandidates(3000);
  assert.ok(candidates.length > 0, 'the bot sent candidates');
  assert.ok(!candidates.some((x) => / typ relay /.test(x)), candidates.join('\n'));
  assert.equal(credentialLines().length, before, 'no fetch');
});

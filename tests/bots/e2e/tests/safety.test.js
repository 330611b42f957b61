// Safety numbers with Chromium (docs/PROTOCOL-EXTENSIONS.md, "Safety numbers"): a bot's /safety
// reply is the number computed here, independently (node:crypto), from the page's applied
// descriptions; CounterBot keeps counting across it; after a restart of parley-bots the bot
// presents the same certificate, so a page that keeps its own sees the same number; and a
// damaged certificate file stops parley-bots with a message naming it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Stack, buildDir, freePort, launchChromium, root, waitFor } from './stack.js';

const BOTS = ['EchoBot', 'CounterBot'];
let stack, browser, page;

// The first sha-256 `a=fingerprint:` of an SDP, else the first of any, normalised.
function fingerprint(sdp) {
  const found = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^a=fingerprint:(\S+)\s+((?:[0-9A-Fa-f]{2}:)+[0-9A-Fa-f]{2})\s*$/.exec(line);
    if (m) found.push(`${m[1].toLowerCase()} ${m[2].toUpperCase()}`);
  }
  return found.find((f) => f.startsWith('sha-256 ')) ?? found[0] ?? null;
}

function safetyNumber(a, b) {
  const [x, y] = [a, b].sort();
  const digest = createHash('sha256').update(`${x}\n${y}`, 'utf8').digest('hex');
  const digits = (BigInt(`0x${digest}`) % 10n ** 60n).toString().padStart(60, '0');
  return digits.match(/\d{5}/g).join(' ');
}

const texts = (bot) => page.evaluate((b) => window.parley.texts(b), bot);

// Sends `text`; resolves to the bot's first text after it.
async function ask(bot, text) {
  const before = (await texts(bot)).length;
  await page.evaluate(([b, t]) => window.parley.send(b, t), [bot, text]);
  return (await waitFor(async () => (await texts(bot))[before], 5000, `reply to ${text}`)).text;
}

async function askSafety(bot) {
  const reply = await ask(bot, '/safety');
  assert.match(reply, /^Safety number of this conversation:\n/);
  const m = /^(\d{5}(?: \d{5}){11})$/m.exec(reply);
  assert.ok(m, `no line of 12 groups in ${JSON.stringify(reply)}`);
  return m[1];
}

// The page's own and the bot's fingerprints, from the applied descriptions.
async function fingerprints(bot) {
  const d = await page.evaluate((b) => window.parley.descriptions(b), bot);
  return { own: fingerprint(d.local), bot: fingerprint(d.remote) };
}

before(async () => {
  stack = new Stack();
  stack.port = await freePort();
  await stack.startServer();
  stack.startBots(['--bots', BOTS.join(',')]);
  await stack.waitForBots(BOTS);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${stack.port}/index.html`);
  await page.evaluate(() => window.parley.connectSignalling('safety-e2e'));
  await page.evaluate(() => window.parley.keepCertificate());
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the computation here reproduces the shared vectors', () => {
  const vectors = JSON.parse(readFileSync(resolve(root, 'tests/fixtures/peer/safety_numbers.json'), 'utf8'));
  for (const v of vectors.fingerprints) assert.equal(fingerprint(v.sdp), v.fingerprint, v.name);
  for (const v of vectors.codes) assert.equal(safetyNumber(v.a, v.b), v.code, v.name);
});

let echo;  // EchoBot's fingerprint and number before the restart

test("each bot's /safety is the number of the page's applied descriptions, and CounterBot keeps counting", async () => {
  for (const bot of BOTS) {
    await page.evaluate((b) => window.parley.connect(b), bot);
    const fp = await fingerprints(bot);
    assert.ok(fp.own && fp.bot, JSON.stringify(fp));
    assert.notEqual(fp.own, fp.bot);
    const number = await askSafety(bot);
    assert.equal(number, safetyNumber(fp.own, fp.bot), bot);
    // The certificate the bot logged at start is the one it presented.
    assert.ok(stack.botsLog().includes(`${bot}: DTLS fingerprint ${fp.bot} `), `${bot} did not log ${fp.bot}`);
    if (bot === 'EchoBot') echo = { ...fp, number };
  }
  assert.equal(await ask('CounterBot', '/increase'), 'Counter increased! Current value: 1');
  await askSafety('CounterBot');
  assert.equal(await ask('CounterBot', '/increase'), 'Counter increased! Current value: 2');
  assert.equal(await ask('EchoBot', 'not a command'), 'not a command', 'EchoBot still echoes the rest');
});

test('after a restart of parley-bots the bot has the same fingerprint, and the number is unchanged', async () => {
  assert.ok(echo, 'the previous test ran');
  const file = join(stack.botsDataDir, 'EchoBot.dtls.pem');
  assert.equal(statSync(stack.botsDataDir).mode & 0o777, 0o700);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const bytes = readFileSync(file, 'utf8');
  await stack.stopBots();
  stack.startBots(['--bots', BOTS.join(',')]);
  await stack.waitForBots(BOTS);
  await page.evaluate(() => window.parley.connect('EchoBot'));
  const fp = await fingerprints('EchoBot');
  assert.equal(fp.bot, echo.bot, "the bot's certificate changed across the restart");
  assert.equal(fp.own, echo.own, "the page's kept certificate changed");
  assert.equal(await askSafety('EchoBot'), echo.number);
  assert.equal(readFileSync(file, 'utf8'), bytes, 'the file was rewritten');
});

test('a damaged certificate file stops parley-bots with a message naming it', () => {
  const dir = join(stack.dir, 'damaged-data');
  mkdirSync(dir, { mode: 0o700 });
  const file = join(dir, 'EchoBot.dtls.pem');
  writeFileSync(file, '-----BEGIN PRIVATE KEY-----\ncut short\n', { mode: 0o600 });
  const run = spawnSync(join(buildDir, 'parley-bots'), [
    '--ws-server', `ws://127.0.0.1:${stack.port}/ws`, '--ice-server', 'none', '--bots-secret-env-file', '',
    '--bots', 'EchoBot', '--data-dir', dir,
  ], { cwd: stack.dir, encoding: 'utf8', timeout: 10000 });
  assert.equal(run.status, 1, run.stdout + run.stderr);
  const out = run.stdout + run.stderr;
  assert.ok(out.includes(file), out);
  assert.ok(out.includes('Delete the file to make a new certificate'), out);
  assert.equal(readFileSync(file, 'utf8'), '-----BEGIN PRIVATE KEY-----\ncut short\n', 'never replaced');
});

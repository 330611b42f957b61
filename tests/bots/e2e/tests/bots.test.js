// parley-bots end to end with Debian's Chromium: a page (a bare RTCPeerConnection client
// following PROTOCOL.md §6-7) talks to each bot through the real parley-server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { Stack, startFakeLlm, sleep, waitFor } from './stack.js';

let stack, llm, browser, page;

const texts = (bot) => page.evaluate((b) => window.parley.texts(b), bot);
async function ask(bot, text, expected) {
  const id = await page.evaluate(([b, t]) => window.parley.send(b, t), [bot, text]);
  await waitFor(async () => (await page.evaluate((b) => window.parley.info(b), bot)).acked.includes(id), 5000, `ACK of ${text}`);
  if (expected !== undefined)
    await waitFor(async () => (await texts(bot)).some((m) => m.text === expected), 5000, `reply "${expected}"`);
}

async function openPage(name) {
  page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`http://127.0.0.1:${stack.port}/index.html`);
  await page.evaluate((n) => window.parley.connectSignalling(n), name);
}

before(async () => {
  llm = await startFakeLlm();
  stack = new Stack();
  await stack.start(llm.port);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--autoplay-policy=no-user-gesture-required',
      // Loopback candidates with plain addresses, so every ICE check stays on 127.0.0.1.
      '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
  await openPage('e2e');
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  llm?.server.close();
});

test('EchoBot echoes text exactly', async () => {
  await page.evaluate(() => window.parley.connect('EchoBot'));
  await ask('EchoBot', 'hello from Chromium 🎉', 'hello from Chromium 🎉');
  await ask('EchoBot', '/start', '/start');
});

test('CounterBot counts', async () => {
  await page.evaluate(() => window.parley.connect('CounterBot'));
  await ask('CounterBot', '/increase', 'Counter increased! Current value: 1');
  await ask('CounterBot', '/increase', 'Counter increased! Current value: 2');
  await ask('CounterBot', '/reset', 'Counter reset! Current value: 0');
  await ask('CounterBot', '/start');
  const help = (await texts('CounterBot')).at(-1).text;
  assert.equal(help, '🔢 Counter Bot - Available Commands:\n\n/start - Show this help message\n/increase - Increase your personal counter by 1\n/reset - Reset your personal counter to 0\n\nYour counter is personal and independent from other users!');
});

test("ClockBot's message changes in place", async () => {
  await page.evaluate(() => window.parley.connect('ClockBot'));
  await ask('ClockBot', '/now');
  const first = await waitFor(async () => (await texts('ClockBot')).find((m) => m.text.startsWith('🕐 Current Time: ')), 5000, 'clock');
  const changed = await waitFor(async () => {
    const now = (await texts('ClockBot')).find((m) => m.id === first.id);
    return now.text !== first.text ? now : null;
  }, 5000, 'clock update');
  assert.match(changed.text, /^🕐 Current Time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  assert.equal((await texts('ClockBot')).filter((m) => m.text.startsWith('🕐')).length, 1, 'updated in place, not re-sent');
  await ask('ClockBot', 'stop');
});

test('MusicBot: /play A4 is heard at 440 Hz, /play WhiteNoise as broadband, an Ogg file at its tone', async () => {
  await page.evaluate(() => window.parley.connect('MusicBot'));
  await ask('MusicBot', '/list',
    'Available tracks:\n  - C4\n  - A4\n  - WhiteNoise\n  - tone660\n\nUse /play <track_name> to play a track.');
  await ask('MusicBot', '/play A4', 'Now playing: A4');
  const tone = await waitFor(async () => {
    const s = await page.evaluate(() => window.parley.spectrum('MusicBot'));
    return s && s.peakDb > -70 && Math.abs(s.peakHz - 440) < 10 ? s : null;
  }, 15000, '440 Hz in the analyser');
  assert.ok(Math.abs(tone.peakHz - 440) <= 5 + 48000 / 32768, `peak at ${tone.peakHz} Hz`);
  await ask('MusicBot', '/play WhiteNoise', 'Now playing: WhiteNoise');
  const noise = await waitFor(async () => {
    const s = await page.evaluate(() => window.parley.spectrum('MusicBot'));
    // Broadband: every band well above silence and within 15 dB of each other.
    return s && Math.min(...s.bands) > -90 && Math.max(...s.bands) - Math.min(...s.bands) < 15 ? s : null;
  }, 10000, 'broadband noise');
  assert.ok(noise.bands.every((b) => b > -90));
  // The Ogg file's own Opus packets, passed through (§8.3), decoded by Chromium.
  await ask('MusicBot', '/play tone660', 'Now playing: tone660');
  const ogg = await waitFor(async () => {
    const s = await page.evaluate(() => window.parley.spectrum('MusicBot'));
    return s && s.peakDb > -70 && Math.abs(s.peakHz - 660) < 10 ? s : null;
  }, 10000, '660 Hz from the Ogg file');
  assert.ok(Math.abs(ogg.peakHz - 660) <= 5 + 48000 / 32768, `peak at ${ogg.peakHz} Hz`);
});

test('ChatBot answers through the OpenAI streaming API, live', async () => {
  await page.evaluate(() => window.parley.connect('ChatBot'));
  await ask('ChatBot', 'what is Parley?', 'You said: what is Parley?');
  const info = await page.evaluate(() => window.parley.info('ChatBot'));
  assert.ok(info.patchCount >= 2, `reply shown live through msgpatch (${info.patchCount} orders)`);
  assert.equal(llm.requests.at(-1).stream, true);
  assert.equal(llm.requests.at(-1).model, 'e2e-model');
});

test('EchoBot returns a 10 MiB file byte-exact', async () => {
  const sha = await page.evaluate(() => window.parley.sendFile('EchoBot', 'big.bin', 10 * 1024 * 1024));
  const files = await waitFor(async () => {
    const f = await page.evaluate(() => window.parley.receivedFiles('EchoBot'));
    return f.length ? f : null;
  }, 60000, 'echoed file');
  assert.equal(files[0].size, 10 * 1024 * 1024);
  assert.equal(files[0].sha, sha);
  assert.equal(files[0].meta.name, 'big.bin');
  assert.equal(files[0].meta.sha256, sha);
});

test('after a server restart the bots reconnect and answer again', async () => {
  await stack.stopServer();
  await sleep(500);
  await stack.startServer();
  await stack.waitForBots();
  await page.close();
  await openPage('e2e-again');
  await page.evaluate(() => window.parley.connect('EchoBot'));
  await ask('EchoBot', 'back again', 'back again');
  await page.evaluate(() => window.parley.connect('CounterBot'));
  await ask('CounterBot', '/increase', 'Counter increased! Current value: 1');
});

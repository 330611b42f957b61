// Browser-to-bot file throughput: Debian's Chromium sends a file to EchoBot over a `file`
// channel (PROTOCOL.md §7.6) and receives it back. Uses the e2e suite's page and stack.
// Run: (cd tests/bots/e2e && npm ci) && BUILD_DIR=build-bench-bots node bench/bots/browser_file.mjs [MiB]
import { chromium } from '../../tests/bots/e2e/node_modules/playwright-core/index.mjs';
import { Stack, startFakeLlm, sleep } from '../../tests/bots/e2e/tests/stack.js';

const mib = Number(process.argv[2] || 50);
if (!(mib > 0 && mib <= 64)) throw new Error('size in MiB must be 1..64 (EchoBot refuses more than --echo-max-file, 64 MiB)');
const llm = await startFakeLlm();
const stack = new Stack();
await stack.start(llm.port);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
    '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${stack.port}/index.html`);
  await page.evaluate(() => window.parley.connectSignalling('bench'));
  await page.evaluate(() => window.parley.connect('EchoBot'));
  const t0 = Date.now();
  await page.evaluate((n) => window.parley.sendFile('EchoBot', 'bench.bin', n * 1024 * 1024), mib);
  const up = (Date.now() - t0) / 1000;
  for (const end = Date.now() + 300000; ; await sleep(20)) {
    if ((await page.evaluate(() => window.parley.receivedFiles('EchoBot'))).length) break;
    if (Date.now() > end) throw new Error('no echo within 300 s');
  }
  const total = (Date.now() - t0) / 1000;
  console.log(`ice_pair ${JSON.stringify(await page.evaluate(() => window.parley.pairInfo('EchoBot')))}`);
  const mb = (mib * 1024 * 1024) / 1e6;
  console.log(`browser_file_mib ${mib}`);
  console.log(`browser_to_bot_mb_s ${(mb / up).toFixed(1)}`);
  console.log(`round_trip_mb_s ${((2 * mb) / total).toFixed(1)}`);
} finally {
  await browser.close();
  await stack.stop();
  llm.server.close();
}

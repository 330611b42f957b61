// Web client benchmark, one Chromium run:
//  1. file throughput between two pages through Parley's UI vs. the raw RTCDataChannel maximum;
//  2. click-to-chat-open time between two pages on loopback (p50/p95).
// Results are printed and written to test-artifacts/bench-web.json.
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, openSync, writeSync, closeSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { openUser, openChat, ownId } from '../../web/e2e/helpers';
import { REPO } from '../../web/e2e/serverControl';
import { rawThroughput } from './rawChannel';

const MiB = 1024 * 1024;
const FILE_MIB = Number(process.env.BENCH_FILE_MIB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const OPEN_ITER = Number(process.env.BENCH_OPEN_ITER ?? 20);

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const mbps = (bps: number) => +(bps / 1e6).toFixed(1);

type TransferTimes = { stateTimes?: Record<string, number> };
async function transferTimes(page: Page, name: string): Promise<Record<string, number>> {
  return page.evaluate((n) => {
    const s = (window as unknown as { parley: { getState(): { conversations: Record<string, { messageId: string; file?: { name: string } }[]>; transfers: Record<string, TransferTimes> } } }).parley.getState();
    const m = Object.values(s.conversations).flat().find((x) => x.file?.name === n);
    return (m && s.transfers[m.messageId]?.stateTimes) || {};
  }, name);
}

test('web benchmark', async ({ browser }) => {
  const results: Record<string, unknown> = { date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, chromium: browser.version(), fileMiB: FILE_MIB };

  // ---- throughput -------------------------------------------------------------------------------
  const alice = await openUser(browser, 'bench-alice');
  const bob = await openUser(browser, 'bench-bob');
  // Chunk size / high-water mark. Chromium refuses sends past 16 MiB queued.
  const configs = { 'raw 64KiB/1MiB': [65536, MiB], 'raw 64KiB/8MiB': [65536, 8 * MiB], 'raw 256KiB/8MiB': [262144, 8 * MiB] } as const;
  const raw: Record<string, number[]> = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));

  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const block = Buffer.alloc(MiB, 7);

  await openChat(alice, 'bench-bob');
  await openChat(bob, 'bench-alice');
  const parleyData: number[] = [];
  const parleyTotal: number[] = [];
  const lagTx: number[] = [];
  const lagRx: number[] = [];
  // Event-loop lag during each Parley transfer: a frozen page shows up as a long gap.
  const watchLag = () => {
    const w = window as unknown as { maxLag: number; lagTimer?: number; lagEvents: string[] };
    w.maxLag = 0;
    w.lagEvents = [];
    clearInterval(w.lagTimer);
    const t0 = performance.now();
    let last = t0;
    w.lagTimer = window.setInterval(() => {
      const now = performance.now();
      const gap = now - last - 50;
      if (gap > 200) w.lagEvents.push(`${Math.round(gap)} ms at +${((now - t0) / 1000).toFixed(1)} s`);
      w.maxLag = Math.max(w.maxLag, gap);
      last = now;
    }, 50);
  };
  const readLag = (p: Page) => p.evaluate(() => (window as unknown as { maxLag: number }).maxLag);
  // Raw and Parley runs alternate, so both see the same load on a shared machine.
  for (let r = 0; r < RUNS; r++) {
    if (process.env.BENCH_RAW !== '0') {
      for (const [k, [chunk, high]] of Object.entries(configs)) {
        raw[k].push(await rawThroughput(alice.page, bob.page, FILE_MIB * MiB, { chunk, high, low: high / 4 }));
      }
    }
    const name = `bench-${r}.bin`;
    const runFile = join(dir, name); // a unique name per run, so the cards are told apart
    const fd2 = openSync(runFile, 'w');
    for (let i = 0; i < FILE_MIB; i++) writeSync(fd2, block);
    closeSync(fd2);
    await alice.page.evaluate(watchLag);
    await bob.page.evaluate(watchLag);
    await alice.page.getByTestId('file-input').setInputFiles(runFile);
    const card = bob.page.locator(`[data-testid="file-card"][data-file-name="${name}"]`);
    await expect(card).toHaveAttribute('data-state', 'done', { timeout: 600_000 });
    lagTx.push(await readLag(alice.page));
    lagRx.push(await readLag(bob.page));
    console.log('lag events (sender):', await alice.page.evaluate(() => (window as unknown as { lagEvents: string[] }).lagEvents.join(', ')));
    console.log('lag events (receiver):', await bob.page.evaluate(() => (window as unknown as { lagEvents: string[] }).lagEvents.join(', ')));
    const tx = await transferTimes(alice.page, name);
    const rx = await transferTimes(bob.page, name);
    parleyData.push((FILE_MIB * MiB) / ((rx.verifying - tx.sending) / 1000));
    parleyTotal.push((FILE_MIB * MiB) / ((rx.done - tx.hashing) / 1000));
    rmSync(runFile);
  }
  rmSync(dir, { recursive: true, force: true });
  const rawMedians = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, mbps(median(v))]));
  const rawMax = Math.max(0, ...Object.values(rawMedians).filter((x) => Number.isFinite(x)));
  results.throughputMBps = {
    ...rawMedians,
    rawMax,
    'parley data phase (after metadata ACK, to last byte)': mbps(median(parleyData)),
    'parley end to end (incl. sha256 on both sides)': mbps(median(parleyTotal)),
    runs: { raw: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.map(mbps)])), parleyData: parleyData.map(mbps), parleyTotal: parleyTotal.map(mbps) },
  };
  results.parleyVsRawPercent = rawMax > 0 ? +((100 * mbps(median(parleyData))) / rawMax).toFixed(1) : null;
  results.maxEventLoopLagMs = { sender: Math.round(Math.max(...lagTx)), receiver: Math.round(Math.max(...lagRx)) };

  // ---- click-to-chat-open -----------------------------------------------------------------------
  const times: number[] = [];
  for (let i = 0; i < OPEN_ITER && process.env.BENCH_OPEN !== '0'; i++) {
    await bob.page.reload(); // a fresh node, so the next click builds a new connection
    await expect(bob.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
    const bobId = await ownId(bob);
    await alice.page.evaluate(() => (window as unknown as { parley: { refreshPeers(): Promise<void> } }).parley.refreshPeers());
    const item = alice.page.locator(`[data-testid="peer"][data-peer-name="bench-bob"]`);
    await expect(item).toHaveCount(1);
    await alice.page.evaluate(() => {
      document.addEventListener('click', () => { (window as unknown as { clickAt: number }).clickAt = performance.now(); }, { capture: true, once: true });
    });
    await item.click();
    const ms = await alice.page.waitForFunction((id) => {
      const w = window as unknown as { clickAt: number; parley: { chatOpenTimes: Map<string, number> } };
      const t = w.parley.chatOpenTimes.get(id);
      return t !== undefined ? t - w.clickAt : null;
    }, bobId, { polling: 5 }).then((h) => h.jsonValue() as Promise<number>);
    times.push(ms);
  }
  if (times.length) results.clickToChatOpenMs = { n: times.length, p50: +pct(times, 50).toFixed(1), p95: +pct(times, 95).toFixed(1), min: +Math.min(...times).toFixed(1), max: +Math.max(...times).toFixed(1) };

  console.log(JSON.stringify(results, null, 2));
  if (results.parleyVsRawPercent !== null) console.log(`parley ${results.parleyVsRawPercent}% of raw`);
  mkdirSync(resolve(REPO, 'test-artifacts'), { recursive: true });
  writeFileSync(resolve(REPO, 'test-artifacts/bench-web.json'), JSON.stringify(results, null, 2));
  await alice.ctx.close();
  await bob.ctx.close();
});

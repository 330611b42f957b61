// Web client benchmark, one Chromium run:
//  1. file throughput between two pages through Parley's UI vs. the raw RTCDataChannel maximum,
//     for each sender back-pressure window (BENCH_WINDOWS, high-water MiB; resume at a quarter);
//  2. main-thread long tasks during each Parley transfer (PerformanceObserver `longtask`, plus
//     long-animation-frame script attribution), and with BENCH_TRACE=1 a Chromium trace of the
//     first transfer (its first BENCH_TRACE_SEC seconds, 40 by default) that splits each long task
//     into wall time and the main thread's own CPU time;
//  3. click-to-chat-open time between two pages on loopback (p50/p95).
// Results are printed and written to test-artifacts/bench-web.json.
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, openSync, writeSync, closeSync, writeFileSync, mkdirSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { openUser, openChat, ownId } from '../../web/e2e/helpers';
import { REPO } from '../../web/e2e/serverControl';
import { rawThroughput } from './rawChannel';

const MiB = 1024 * 1024;
const FILE_MIB = Number(process.env.BENCH_FILE_MIB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const OPEN_ITER = Number(process.env.BENCH_OPEN_ITER ?? 20);
const TRACE_SEC = Number(process.env.BENCH_TRACE_SEC ?? 40);
const WINDOWS = (process.env.BENCH_WINDOWS ?? '1').split(',').map(Number).filter((x) => x > 0);
// When the receiver hashes: 'after' the last byte, 'while' receiving, or the client's own 'policy'.
const VERIFY = (process.env.BENCH_VERIFY ?? 'after,while').split(',').filter((x) => ['after', 'while', 'policy'].includes(x));

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]; };
const mbps = (bps: number) => +(bps / 1e6).toFixed(1);

/**
 * CPU seconds used so far by every Chromium process, by process type. On a shared machine the
 * wall-clock throughput moves with the neighbours' load; the CPU a transfer costs per MiB barely
 * does, and on a CPU-bound host it is what sets the throughput.
 */
function chromiumCpu(): Map<string, { type: string; sec: number }> {
  const out = new Map<string, { type: string; sec: number }>();
  const tick = 100; // USER_HZ on Linux
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'chromium') continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const type = /--utility-sub-type=network/.test(cmd) ? 'network' : /--type=renderer/.test(cmd) ? 'renderer' : /--type=/.test(cmd) ? 'other' : 'browser';
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, { type, sec: (Number(f[11]) + Number(f[12])) / tick }); // utime + stime
    } catch { /* exited */ }
  }
  return out;
}

/** CPU ms per MiB between two snapshots, in total and by process type. */
function cpuPerMiB(before: ReturnType<typeof chromiumCpu>, after: ReturnType<typeof chromiumCpu>, mib: number): Record<string, number> {
  const by: Record<string, number> = { total: 0 };
  for (const [pid, a] of after) {
    const d = a.sec - (before.get(pid)?.sec ?? 0);
    by[a.type] = (by[a.type] ?? 0) + d;
    by.total += d;
  }
  return Object.fromEntries(Object.entries(by).map(([k, v]) => [k, +((1000 * v) / mib).toFixed(1)]));
}

type TransferTimes = { stateTimes?: Record<string, number> };
async function transferTimes(page: Page, name: string): Promise<Record<string, number>> {
  return page.evaluate((n) => {
    const s = (window as unknown as { parley: { getState(): { conversations: Record<string, { messageId: string; file?: { name: string } }[]>; transfers: Record<string, TransferTimes> } } }).parley.getState();
    const m = Object.values(s.conversations).flat().find((x) => x.file?.name === n);
    return (m && s.transfers[m.messageId]?.stateTimes) || {};
  }, name);
}

/** Installed in a page before each transfer: event-loop gaps, long tasks, long animation frames. */
function watchMainThread(): void {
  type W = { maxLag: number; lagTimer?: number; longTasks: number[]; loafs: unknown[]; obs?: PerformanceObserver[] };
  const w = window as unknown as W;
  w.obs?.forEach((o) => o.disconnect());
  clearInterval(w.lagTimer);
  w.maxLag = 0;
  w.longTasks = [];
  w.loafs = [];
  let last = performance.now();
  w.lagTimer = window.setInterval(() => { const now = performance.now(); w.maxLag = Math.max(w.maxLag, now - last - 50); last = now; }, 50);
  const o1 = new PerformanceObserver((l) => { for (const e of l.getEntries()) w.longTasks.push(e.duration); });
  o1.observe({ type: 'longtask', buffered: false });
  const o2 = new PerformanceObserver((l) => {
    type Loaf = { duration: number; blockingDuration: number; scripts: { invoker: string; sourceFunctionName: string; duration: number }[] };
    for (const e of l.getEntries() as unknown as Loaf[]) {
      if (e.duration >= 150) w.loafs.push({ ms: Math.round(e.duration), blocking: Math.round(e.blockingDuration), scripts: e.scripts.map((s) => `${s.invoker} ${s.sourceFunctionName} ${Math.round(s.duration)} ms`) });
    }
  });
  try { o2.observe({ type: 'long-animation-frame', buffered: false }); } catch { /* unsupported */ }
  w.obs = [o1, o2];
}

/** Long top-level tasks of each renderer main thread in a Chromium trace: wall time vs. own CPU. */
function traceTasks(path: string): Record<string, unknown>[] {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents?: unknown[] } | unknown[];
  const all = (Array.isArray(raw) ? raw : raw.traceEvents ?? []) as { ph?: string; name?: string; pid: number; tid: number; ts?: number; dur?: number; tdur?: number; args?: { name?: string } }[];
  // A task can be reported twice (nested trace scopes): keep one per thread and start time.
  const seen = new Set<string>();
  const ev = all.filter((e) => {
    if (e.ph !== 'X') return true;
    const k = `${e.pid}/${e.tid}/${e.ts}/${e.name}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const mains = new Set(ev.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}/${e.tid}`));
  const out: Record<string, unknown>[] = [];
  // CPU of every thread kind over the sample (ms), to see what competes for the cores.
  const names = new Map(ev.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}/${e.tid}`, e.args?.name ?? '?']));
  const cpuByThread: Record<string, number> = {};
  for (const e of ev) {
    if (e.ph !== 'X' || e.name !== 'ThreadControllerImpl::RunTask' || !e.tdur) continue;
    const n = (names.get(`${e.pid}/${e.tid}`) ?? '?').replace(/\d+$/, '');
    cpuByThread[n] = (cpuByThread[n] ?? 0) + e.tdur / 1000;
  }
  out.push({ cpuMsByThread: Object.fromEntries(Object.entries(cpuByThread).sort((a, b) => b[1] - a[1]).slice(0, 10).map(([k, v]) => [k, Math.round(v)])) });
  for (const m of mains) {
    const tasks = ev.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && `${e.pid}/${e.tid}` === m && e.dur !== undefined);
    if (!tasks.length) continue;
    const byWall = tasks.reduce((a, b) => ((b.dur ?? 0) > (a.dur ?? 0) ? b : a));
    out.push({
      wallMaxMs: Math.round((byWall.dur ?? 0) / 1000),
      cpuOfWallMaxMs: Math.round((byWall.tdur ?? 0) / 1000),
      cpuMaxMs: Math.round(Math.max(...tasks.map((t) => t.tdur ?? 0)) / 1000),
      over100msWall: tasks.filter((t) => (t.dur ?? 0) > 100_000).length,
      over100msCpu: tasks.filter((t) => (t.tdur ?? 0) > 100_000).length,
    });
  }
  return out;
}

test('web benchmark', async ({ browser }) => {
  const results: Record<string, unknown> = { date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, chromium: browser.version(), fileMiB: FILE_MIB, loadAverageAtStart: loadavg()[0] };

  // ---- throughput -------------------------------------------------------------------------------
  const alice = await openUser(browser, 'bench-alice');
  const bob = await openUser(browser, 'bench-bob');
  // Chunk size / high-water mark. Chromium refuses sends past 16 MiB queued.
  const configs: Record<string, readonly [number, number, boolean?]> = process.env.BENCH_RAW_WORDS === '1'
    ? { 'raw 64KiB/1MiB': [65536, MiB], 'raw 64KiB/1MiB with words': [65536, MiB, true] }
    : { 'raw 64KiB/1MiB': [65536, MiB], 'raw 64KiB/8MiB': [65536, 8 * MiB], 'raw 256KiB/8MiB': [262144, 8 * MiB] };
  const raw: Record<string, number[]> = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));
  const rawCpu: Record<string, Record<string, number>[]> = Object.fromEntries(Object.keys(configs).map((k) => [k, []]));

  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const block = Buffer.alloc(MiB, 7);

  await openChat(alice, 'bench-bob');
  await openChat(bob, 'bench-alice');
  const variants = WINDOWS.flatMap((win) => VERIFY.map((verify) => ({ win, verify, key: `${win}MiB verify ${verify}` })));
  const parley: Record<string, { data: number[]; total: number[]; verifyMs: number[]; cpu: Record<string, number>[] }> = Object.fromEntries(variants.map((v) => [v.key, { data: [], total: [], verifyMs: [], cpu: [] }]));
  const policy = await bob.page.evaluate(() => (window as unknown as { parley: { verifyPolicy?: { whileReceiving: boolean } } }).parley.verifyPolicy?.whileReceiving);
  results.clientPolicy = policy === undefined ? 'unknown' : policy ? 'while' : 'after';
  const lag = { sender: [] as number[], receiver: [] as number[] };
  const longTasks = { sender: [] as number[], receiver: [] as number[] };
  const longTasksRaw = { sender: [] as number[], receiver: [] as number[] };
  let traced: ReturnType<typeof traceTasks> | undefined;

  // Raw and Parley runs alternate, so both see the same load on a shared machine.
  for (let r = 0; r < RUNS; r++) {
    if (process.env.BENCH_RAW !== '0') {
      for (const [k, [chunk, high, words]] of Object.entries(configs)) {
        await alice.page.evaluate(watchMainThread);
        await bob.page.evaluate(watchMainThread);
        const cpu0 = chromiumCpu();
        raw[k].push(await rawThroughput(alice.page, bob.page, FILE_MIB * MiB, { chunk, high, low: high / 4, words }));
        rawCpu[k].push(cpuPerMiB(cpu0, chromiumCpu(), FILE_MIB));
        // The control: the same pages blasting a bare data channel, no Parley code running.
        for (const [who, p] of [['sender', alice.page], ['receiver', bob.page]] as const) {
          longTasksRaw[who].push(...await p.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks));
        }
      }
    }
    for (const { win, verify, key } of variants) {
      const name = `bench-${r}-${win}-${verify}.bin`;
      const runFile = join(dir, name); // a unique name per run, so the cards are told apart
      const fd = openSync(runFile, 'w');
      for (let i = 0; i < FILE_MIB; i++) writeSync(fd, block);
      closeSync(fd);
      await alice.page.evaluate((high) => {
        const p = (window as unknown as { parley: { sendWindow?: { high: number; low: number } } }).parley;
        if (!p.sendWindow) return; // a client without the knob (an older build) keeps its own window
        p.sendWindow.high = high;
        p.sendWindow.low = high / 4;
      }, win * MiB);
      await bob.page.evaluate(([v, own]) => {
        const p = (window as unknown as { parley: { verifyPolicy?: { whileReceiving: boolean } } }).parley;
        if (p.verifyPolicy) p.verifyPolicy.whileReceiving = v === 'policy' ? own === 'while' : v === 'while';
      }, [verify, results.clientPolicy as string] as const);
      await alice.page.evaluate(watchMainThread);
      await bob.page.evaluate(watchMainThread);
      const trace = process.env.BENCH_TRACE === '1' && !traced ? join(dir, 'trace.json') : undefined;
      if (trace) await browser.startTracing(bob.page, { categories: ['toplevel'], path: trace });
      const cpu0 = chromiumCpu();
      await alice.page.getByTestId('file-input').setInputFiles(runFile);
      const card = bob.page.locator(`[data-testid="file-card"][data-file-name="${name}"]`);
      if (process.env.BENCH_TIMELINE === '1') {
        // Bytes confirmed to the sender and received by the receiver, every 250 ms.
        const bytesOf = (p: Page) => p.evaluate((n) => {
          const s = (window as unknown as { parley: { getState(): { conversations: Record<string, { messageId: string; file?: { name: string } }[]>; transfers: Record<string, { state: string; progress?: { bytes: number } }> } } }).parley.getState();
          const m = Object.values(s.conversations).flat().find((x) => x.file?.name === n);
          const t = m && s.transfers[m.messageId];
          return t ? `${t.state}:${Math.round((t.progress?.bytes ?? 0) / 1048576)}` : '-';
        }, name);
        // The transport underneath: packets and bytes of the selected pair, pair changes.
        const transportOf = (p: Page) => p.evaluate(async () => {
          const sessions = (window as unknown as { parley: { sessions: Map<string, { pc: RTCPeerConnection }> } }).parley.sessions;
          const out: string[] = [];
          for (const s of sessions.values()) {
            const st = await s.pc.getStats();
            st.forEach((r) => {
              if (r.type !== 'transport') return;
              const pair = st.get(r.selectedCandidatePairId);
              const l = pair && st.get(pair.localCandidateId);
              const rc = pair && st.get(pair.remoteCandidateId);
              const where = l && rc ? ` ${l.protocol} ${l.address}:${l.port} ${l.candidateType} → ${rc.address}:${rc.port} ${rc.candidateType}` : '';
              out.push(`tx ${r.packetsSent} rx ${r.packetsReceived} chg ${r.selectedCandidatePairChanges}${where}`);
            });
          }
          return out.join(' / ');
        });
        const t0 = Date.now();
        const line: string[] = [];
        while ((await card.getAttribute('data-state').catch(() => null)) !== 'done' && Date.now() - t0 < 120_000) {
          line.push(`${((Date.now() - t0) / 1000).toFixed(2)} ${await bytesOf(alice.page)} ${await bytesOf(bob.page)} | ${await transportOf(alice.page)}`);
          await new Promise((r) => setTimeout(r, 250));
        }
        console.log(`${name} timeline (s, sender state:MiB confirmed, receiver state:MiB | sender's transport):\n  ${line.join('\n  ')}`);
      }
      if (trace) {
        // A sample of the transfer keeps the trace small enough to parse.
        await Promise.race([expect(card).toHaveAttribute('data-state', 'done', { timeout: 900_000 }), new Promise((r) => setTimeout(r, TRACE_SEC * 1000))]);
        await browser.stopTracing();
        traced = traceTasks(trace);
        rmSync(trace);
      }
      await expect(card).toHaveAttribute('data-state', 'done', { timeout: 900_000 });
      parley[key].cpu.push(cpuPerMiB(cpu0, chromiumCpu(), FILE_MIB));
      for (const [who, p] of [['sender', alice.page], ['receiver', bob.page]] as const) {
        const m = await p.evaluate(() => { const w = window as unknown as { maxLag: number; longTasks: number[]; loafs: unknown[] }; return { maxLag: w.maxLag, longTasks: w.longTasks, loafs: w.loafs }; });
        lag[who].push(m.maxLag);
        longTasks[who].push(...m.longTasks);
        const top = [...m.longTasks].sort((a, b) => b - a).slice(0, 6).map(Math.round);
        console.log(`${name} ${who}: ${m.longTasks.length} long tasks, longest ${top.join(', ')} ms; max event-loop gap ${Math.round(m.maxLag)} ms`);
        for (const l of m.loafs.slice(0, 5)) console.log(`  long animation frame (${who}):`, JSON.stringify(l));
      }
      const tx = await transferTimes(alice.page, name);
      const rx = await transferTimes(bob.page, name);
      parley[key].data.push((FILE_MIB * MiB) / ((rx.verifying - tx.sending) / 1000));
      parley[key].total.push((FILE_MIB * MiB) / ((rx.done - tx.hashing) / 1000));
      parley[key].verifyMs.push(rx.done - rx.verifying);
      const rel = (t: Record<string, number>) => Object.entries(t).map(([k, v]) => `${k} +${v - tx.hashing}`).join(', ');
      console.log(`${name} sender: ${rel(tx)}; receiver: ${rel(rx)} (ms)`);
      console.log(`${name}: data ${mbps(parley[key].data.at(-1)!)} MB/s, end to end ${mbps(parley[key].total.at(-1)!)} MB/s, verified ${rx.done - rx.verifying} ms after the last byte`);
      rmSync(runFile);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const rawMedians = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, mbps(median(v))]));
  const rawMax = Math.max(0, ...Object.values(rawMedians).filter((x) => Number.isFinite(x)));
  const parleyMedians = Object.fromEntries(Object.entries(parley).map(([k, v]) => [k, { dataPhase: mbps(median(v.data)), endToEnd: mbps(median(v.total)), vsRawMaxPercent: rawMax > 0 ? +((100 * mbps(median(v.data))) / rawMax).toFixed(1) : null, runs: v.data.map(mbps), endToEndRuns: v.total.map(mbps), verifyMsAfterLastByte: v.verifyMs }]));
  results.throughputMBps = {
    ...rawMedians,
    rawMax,
    parleyByVariant: parleyMedians,
    rawRuns: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v.map(mbps)])),
  };
  // CPU per MiB (all Chromium processes, medians per process type), and what it predicts: on a
  // host whose cores the transfer saturates, throughput is inversely proportional to it.
  const cpuMedians = (runs: Record<string, number>[]) => Object.fromEntries(Object.keys(runs[0] ?? {}).map((t) => [t, median(runs.map((r) => r[t] ?? 0))]));
  const rawSameShape = rawCpu['raw 64KiB/1MiB'];
  const rawTotal = rawSameShape?.length ? median(rawSameShape.map((r) => r.total)) : NaN;
  results.cpuMsPerMiB = {
    raw: Object.fromEntries(Object.entries(rawCpu).map(([k, v]) => [k, cpuMedians(v)])),
    parley: Object.fromEntries(Object.entries(parley).map(([k, v]) => [k, {
      ...cpuMedians(v.cpu),
      rawOverParleyPercent: Number.isFinite(rawTotal) ? +((100 * rawTotal) / median(v.cpu.map((r) => r.total))).toFixed(1) : null,
      runs: v.cpu.map((r) => r.total),
    }])),
  };
  const ltSummary = (xs: number[]) => ({ count: xs.length, maxMs: Math.round(Math.max(0, ...xs)), over100ms: xs.filter((x) => x > 100).length, over200ms: xs.filter((x) => x > 200).length });
  results.longTasks = { sender: ltSummary(longTasks.sender), receiver: ltSummary(longTasks.receiver) };
  if (longTasksRaw.sender.length || longTasksRaw.receiver.length) results.longTasksRawChannel = { sender: ltSummary(longTasksRaw.sender), receiver: ltSummary(longTasksRaw.receiver) };
  results.maxEventLoopGapMs = { sender: Math.round(Math.max(...lag.sender)), receiver: Math.round(Math.max(...lag.receiver)) };
  if (traced) results.tracedFirstTransfer = traced;

  // ---- click-to-chat-open -----------------------------------------------------------------------
  const times: number[] = [];
  const phases: Record<string, number>[] = [];
  // Where the time goes: the clicking page's own connection events, relative to the click.
  await alice.page.evaluate(() => {
    type W = { openMarks: [string, number][]; RTCPeerConnection: typeof RTCPeerConnection };
    const w = window as unknown as W;
    const Orig = w.RTCPeerConnection;
    const mark = (name: string) => { if (!w.openMarks.some(([n]) => n === name)) w.openMarks.push([name, performance.now()]); };
    w.openMarks = [];
    w.RTCPeerConnection = class extends Orig {
      constructor(cfg?: RTCConfiguration) {
        super(cfg);
        mark('pc created');
        this.addEventListener('negotiationneeded', () => mark('negotiationneeded'));
        this.addEventListener('signalingstatechange', () => mark(`signaling ${this.signalingState}`));
        this.addEventListener('iceconnectionstatechange', () => mark(`ice ${this.iceConnectionState}`));
        this.addEventListener('connectionstatechange', () => mark(`dtls ${this.connectionState}`));
      }
    } as typeof RTCPeerConnection;
  });
  for (let i = 0; i < OPEN_ITER && process.env.BENCH_OPEN !== '0'; i++) {
    // Close the chat first: an open chat follows its peer to the new node id and connects at once.
    await alice.page.evaluate(() => (window as unknown as { parley: { closeChat(): void } }).parley.closeChat());
    await bob.page.reload(); // a fresh node, so the next click builds a new connection
    await expect(bob.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
    const bobId = await ownId(bob);
    await alice.page.evaluate(() => (window as unknown as { parley: { refreshPeers(): Promise<void> } }).parley.refreshPeers());
    const item = alice.page.locator(`[data-testid="peer"][data-peer-name="bench-bob"]`);
    await expect(item).toHaveCount(1);
    await alice.page.evaluate(() => {
      (window as unknown as { openMarks: unknown[] }).openMarks = [];
      document.addEventListener('click', () => { (window as unknown as { clickAt: number }).clickAt = performance.now(); }, { capture: true, once: true });
    });
    await item.click();
    const ms = await alice.page.waitForFunction((id) => {
      const w = window as unknown as { clickAt: number; parley: { chatOpenTimes: Map<string, number> } };
      const t = w.parley.chatOpenTimes.get(id);
      return t !== undefined ? t - w.clickAt : null;
    }, bobId, { polling: 5 }).then((h) => h.jsonValue() as Promise<number>);
    times.push(ms);
    phases.push(await alice.page.evaluate(() => {
      const w = window as unknown as { clickAt: number; openMarks: [string, number][] };
      return Object.fromEntries(w.openMarks.map(([n, t]) => [n, t - w.clickAt]));
    }));
  }
  if (phases.length) {
    const names = [...new Set(phases.flatMap((p) => Object.keys(p)))];
    results.clickToChatOpenPhasesP50Ms = Object.fromEntries(names.map((n) => {
      const xs = phases.map((p) => p[n]).filter((x) => x !== undefined);
      return [n, +median(xs).toFixed(1)];
    }).sort((a, b) => (a[1] as number) - (b[1] as number)));
  }
  if (times.length) results.clickToChatOpenMs = { n: times.length, p50: +pct(times, 50).toFixed(1), p95: +pct(times, 95).toFixed(1), min: +Math.min(...times).toFixed(1), max: +Math.max(...times).toFixed(1) };
  results.loadAverageAtEnd = loadavg()[0];

  console.log(JSON.stringify(results, null, 2));
  mkdirSync(resolve(REPO, 'test-artifacts'), { recursive: true });
  writeFileSync(resolve(REPO, 'test-artifacts/bench-web.json'), JSON.stringify(results, null, 2));
  await alice.ctx.close();
  await bob.ctx.close();
});

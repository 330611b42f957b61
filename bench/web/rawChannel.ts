// The raw baseline: a bare RTCDataChannel between two pages of the same browser, signalled by
// the test itself (no Parley code), blasting a fixed buffer with bufferedAmount back-pressure.
import type { Page } from '@playwright/test';

export interface RawConfig {
  chunk: number; high: number; low: number;
  /** the receiver answers each message with a 4-byte word, as a §7.6 file receiver does */
  words?: boolean;
}

export async function rawThroughput(a: Page, b: Page, totalBytes: number, cfg: RawConfig): Promise<number> {
  await b.evaluate((words) => {
    const w = window as unknown as Record<string, unknown>;
    const pc = new RTCPeerConnection();
    w.rawPc = pc;
    w.rawDone = new Promise<number>((resolve) => {
      pc.ondatachannel = (ev) => {
        const dc = ev.channel;
        dc.binaryType = 'arraybuffer';
        let got = 0;
        const total = Number(dc.label);
        const word = new Uint8Array(4);
        let last = 0;
        w.rawMaxGap = { ms: 0, atMiB: 0 };
        dc.onmessage = (m) => {
          const now = performance.now();
          const gap = w.rawMaxGap as { ms: number; atMiB: number };
          if (last && now - last > gap.ms) { gap.ms = Math.round(now - last); gap.atMiB = Math.round(got / 1048576); }
          last = now;
          got += (m.data as ArrayBuffer).byteLength;
          if (words) dc.send(word);
          if (got >= total) resolve(Date.now());
        };
      };
    });
  }, cfg.words ?? false);
  // The channel label carries the size, the simplest way to tell the receiver.
  const offer2 = await a.evaluate(async (total) => {
    const w = window as unknown as Record<string, unknown>;
    const pc = new RTCPeerConnection();
    w.rawPc = pc;
    const dc = pc.createDataChannel(String(total));
    dc.binaryType = 'arraybuffer';
    w.rawDc = dc;
    await pc.setLocalDescription();
    await new Promise<void>((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); }; });
    return pc.localDescription!.toJSON();
  }, totalBytes);
  const answer = await b.evaluate(async (o) => {
    const pc = (window as unknown as { rawPc: RTCPeerConnection }).rawPc;
    await pc.setRemoteDescription(o);
    await pc.setLocalDescription();
    await new Promise<void>((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); }; });
    return pc.localDescription!.toJSON();
  }, offer2);
  const start = await a.evaluate(async ({ answer, total, cfg }) => {
    const w = window as unknown as { rawPc: RTCPeerConnection; rawDc: RTCDataChannel };
    await w.rawPc.setRemoteDescription(answer);
    const dc = w.rawDc;
    if (dc.readyState !== 'open') await new Promise((r) => { dc.onopen = r; });
    dc.bufferedAmountLowThreshold = cfg.low;
    const buf = new Uint8Array(cfg.chunk);
    const t0 = Date.now();
    for (let sent = 0; sent < total; sent += cfg.chunk) {
      if (dc.bufferedAmount > cfg.high) await new Promise((r) => { dc.onbufferedamountlow = r; });
      dc.send(sent + cfg.chunk <= total ? buf : buf.subarray(0, total - sent));
    }
    return t0;
  }, { answer, total: totalBytes, cfg });
  const end = await b.evaluate(() => (window as unknown as { rawDone: Promise<number> }).rawDone);
  console.log(`raw ${JSON.stringify(cfg)}: longest gap between messages`, await b.evaluate(() => JSON.stringify((window as unknown as { rawMaxGap: unknown }).rawMaxGap)));
  await a.evaluate(() => (window as unknown as { rawPc: RTCPeerConnection }).rawPc.close());
  await b.evaluate(() => (window as unknown as { rawPc: RTCPeerConnection }).rawPc.close());
  return totalBytes / ((end - start) / 1000);
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { FileReceiver } from './FileReceiver';
import type { StreamHasher } from './hashBlob';
import type { FileMeta } from '../protocol/chatMessage';

/** A stand-in for RTCDataChannel: records what the receiver sends and whether it closed. */
class FakeChannel {
  readyState: RTCDataChannelState = 'open';
  binaryType = 'blob';
  sent: number[] = [];
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  send(d: ArrayBuffer) { this.sent.push(new DataView(d).getUint32(0)); }
  close() { if (this.readyState !== 'closed') { this.readyState = 'closed'; this.onclose?.(); } }
  deliver(data: unknown) { this.onmessage?.({ data }); }
}

function nodeHasher(): StreamHasher {
  const h = createHash('sha256');
  let chain = Promise.resolve();
  return {
    update: (b) => { chain = chain.then(async () => { h.update(new Uint8Array(await b.arrayBuffer())); }); },
    finish: async () => { await chain; return h.digest('hex'); },
  };
}

const meta = (size: number, extra: Partial<FileMeta> = {}): FileMeta => ({ category: 'file', name: 'f.bin', type: '', size, dcId: '1', ...extra });
const bytes = (...xs: number[]) => new Uint8Array(xs).buffer;
const flush = () => new Promise((r) => setTimeout(r, 0));

function start(m?: FileMeta) {
  const ch = new FakeChannel();
  const r = new FileReceiver('1', nodeHasher);
  const states: string[] = [];
  let blob: Blob | null = null;
  r.on('state', (s, why) => states.push(why ? `${s}:${why}` : s));
  r.on('complete', (b) => { blob = b; });
  r.attachChannel(ch as unknown as RTCDataChannel);
  if (m) r.attachMeta('m1', m);
  return { ch, r, states, blob: () => blob };
}

afterEach(() => vi.useRealTimers());

describe('FileReceiver', () => {
  it('sends the early zero word and one word per chunk, then completes and closes', async () => {
    const t = start(meta(5));
    t.ch.deliver(bytes(1, 2));
    t.ch.deliver(bytes(3, 4, 5));
    await flush();
    expect(t.ch.sent).toEqual([0, 2, 3]);
    expect(t.ch.readyState).toBe('closed');
    expect(t.r.state).toBe('done');
    expect(Array.from(new Uint8Array(await t.blob()!.arrayBuffer()))).toEqual([1, 2, 3, 4, 5]);
  });

  it('completes a zero-byte file once metadata and channel are known', async () => {
    const t = start(meta(0));
    await flush();
    expect(t.ch.sent).toEqual([0]);
    expect(t.r.state).toBe('done');
    expect(t.blob()!.size).toBe(0);
  });

  it('matches metadata that arrives after the data', async () => {
    const t = start();
    t.ch.deliver(bytes(9, 9));
    t.r.attachMeta('m1', meta(2));
    await flush();
    expect(t.r.state).toBe('done');
  });

  it('fails and closes on more data than announced', async () => {
    const t = start(meta(2));
    t.ch.deliver(bytes(1));
    t.ch.deliver(bytes(2, 3));
    expect(t.r.state).toBe('failed');
    expect(t.states.at(-1)).toMatch(/more data than announced/);
    expect(t.ch.readyState).toBe('closed');
  });

  it('ignores text on a file channel and fails an incomplete close', () => {
    const t = start(meta(4));
    t.ch.deliver('not data');
    t.ch.deliver(bytes(1));
    t.ch.close();
    expect(t.r.state).toBe('failed');
    expect(t.states.at(-1)).toMatch(/incomplete: 1 of 4/);
  });

  it('verifies sha256 and reports a mismatch clearly', async () => {
    const good = createHash('sha256').update(new Uint8Array([1, 2, 3])).digest('hex');
    const ok = start(meta(3, { sha256: good }));
    ok.ch.deliver(bytes(1, 2, 3));
    await flush(); await flush();
    expect(ok.r.state).toBe('done');

    const bad = start(meta(3, { sha256: 'f'.repeat(64) }));
    bad.ch.deliver(bytes(1, 2, 3));
    await flush(); await flush();
    expect(bad.r.state).toBe('failed');
    expect(bad.states.at(-1)).toMatch(/checksum mismatch/);
    expect(bad.blob()).toBeNull();
  });

  it('closes a channel whose metadata never comes', () => {
    vi.useFakeTimers();
    const t = start();
    vi.advanceTimersByTime(10_001);
    expect(t.r.state).toBe('failed');
    expect(t.ch.readyState).toBe('closed');
  });

  it('refuses files over the size limit', () => {
    const t = start(meta(Number.MAX_SAFE_INTEGER));
    expect(t.r.state).toBe('failed');
    expect(t.ch.readyState).toBe('closed');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';
import { FileReceiver } from './FileReceiver';
import { afterwardsVerifier, streamingVerifier, type StreamHasher, type Verifier } from './hashBlob';
import type { FileMeta } from '../protocol/chatMessage';

/** A stand-in for RTCDataChannel: records what the receiver sends and whether it closed. */
class FakeChannel {
  readyState: RTCDataChannelState = 'open';
  binaryType = 'blob';
  sent: number[] = []; // every word, in order
  messages = 0;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  send(d: ArrayBuffer) {
    this.messages++;
    for (let i = 0; i < d.byteLength; i += 4) this.sent.push(new DataView(d).getUint32(i));
  }
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

/** hashBlob's contract (whole Blob, progress per slice) computed with node:crypto. */
async function nodeHashBlob(b: Blob, onProgress?: (n: number) => void): Promise<string> {
  const h = createHash('sha256');
  const SLICE = 1024 * 1024;
  for (let off = 0; off < b.size; off += SLICE) {
    h.update(new Uint8Array(await b.slice(off, off + SLICE).arrayBuffer()));
    onProgress?.(Math.min(b.size, off + SLICE));
  }
  return h.digest('hex');
}

const meta = (size: number, extra: Partial<FileMeta> = {}): FileMeta => ({ category: 'file', name: 'f.bin', type: '', size, dcId: '1', ...extra });
const bytes = (...xs: number[]) => new Uint8Array(xs).buffer;
const flush = () => new Promise((r) => setTimeout(r, 0));

function start(m?: FileMeta, verifier: () => Verifier = () => streamingVerifier(nodeHasher)) {
  const ch = new FakeChannel();
  const r = new FileReceiver('1', verifier);
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

  it('batches the words, at most 16 to a message, and sends the last before it closes', async () => {
    const t = start(meta(48 * 64 * 1024));
    for (let i = 0; i < 47; i++) t.ch.deliver(new Uint8Array(64 * 1024).buffer);
    expect(t.ch.messages).toBe(3); // the zero word, then two batches of 16
    t.ch.deliver(new Uint8Array(64 * 1024).buffer);
    await flush();
    expect(t.ch.sent).toEqual([0, ...Array(48).fill(64 * 1024)]);
    expect(t.ch.messages).toBe(4);
    expect(t.ch.readyState).toBe('closed');
    expect(t.r.state).toBe('done');
  });

  it('does not hold a word longer than a moment when data comes slowly', async () => {
    const t = start(meta(10));
    t.ch.deliver(bytes(1, 2, 3));
    expect(t.ch.sent).toEqual([0]);
    await vi.waitFor(() => expect(t.ch.sent).toEqual([0, 3]), { timeout: 200, interval: 5 });
    expect(t.r.state).toBe('receiving');
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

  const verifiers: [string, () => Verifier][] = [
    ['while receiving', () => streamingVerifier(nodeHasher)],
    ['after the last byte', () => afterwardsVerifier(nodeHashBlob)],
  ];
  it.each(verifiers)('verifies sha256 %s and reports a mismatch clearly', async (_, v) => {
    const good = createHash('sha256').update(new Uint8Array([1, 2, 3])).digest('hex');
    const ok = start(meta(3, { sha256: good }), v);
    ok.ch.deliver(bytes(1, 2, 3));
    await vi.waitFor(() => expect(ok.r.state).toBe('done'));

    const bad = start(meta(3, { sha256: 'f'.repeat(64) }), v);
    bad.ch.deliver(bytes(1, 2, 3));
    await vi.waitFor(() => expect(bad.r.state).toBe('failed'));
    expect(bad.states.at(-1)).toMatch(/checksum mismatch/);
    expect(bad.blob()).toBeNull();
  });

  /** Delivers `mib` MiB in 64 KiB messages; returns the file's SHA-256. */
  function deliverMiB(ch: FakeChannel, mib: number): string {
    const h = createHash('sha256');
    for (let i = 0; i < mib * 16; i++) {
      const chunk = new Uint8Array(64 * 1024).fill(i & 255);
      h.update(chunk);
      ch.deliver(chunk.buffer);
    }
    return h.digest('hex');
  }

  it('hashes each MiB while the rest arrives when verifying while receiving', async () => {
    const added: number[] = [];
    let received = 0;
    const t = start(undefined, () => {
      const inner = streamingVerifier(nodeHasher);
      return { ...inner, add: (p) => { added.push(received); inner.add(p); } };
    });
    const size = 3 * 1024 * 1024;
    const ch = t.ch;
    const orig = ch.deliver.bind(ch);
    ch.deliver = (d) => { received += (d as ArrayBuffer).byteLength; orig(d); };
    // metadata first, with the right hash, computed over the same bytes deliverMiB sends
    const expected = createHash('sha256');
    for (let i = 0; i < 48; i++) expected.update(new Uint8Array(64 * 1024).fill(i & 255));
    t.r.attachMeta('m1', meta(size, { sha256: expected.digest('hex') }));
    deliverMiB(ch, 3);
    await vi.waitFor(() => expect(t.r.state).toBe('done'));
    // the first two parts went to the hash before the file was complete
    expect(added.filter((n) => n < size).length).toBe(2);
    expect(t.blob()!.size).toBe(size);
  });

  it('verifies a file whose metadata comes after its first MiBs, in order', async () => {
    const t = start();
    const size = 3 * 1024 * 1024;
    const all = createHash('sha256');
    const chunks: ArrayBuffer[] = [];
    for (let i = 0; i < 48; i++) {
      const c = new Uint8Array(64 * 1024).fill((i * 7) & 255);
      all.update(c);
      chunks.push(c.buffer);
    }
    chunks.slice(0, 20).forEach((c) => t.ch.deliver(c)); // 1.25 MiB before the metadata
    t.r.attachMeta('m1', meta(size, { sha256: all.digest('hex') }));
    chunks.slice(20).forEach((c) => t.ch.deliver(c));
    await vi.waitFor(() => expect(t.r.state).toBe('done'));
  });

  it('hashes nothing until the last byte when verifying afterwards, then shows its progress', async () => {
    let hashedBeforeEnd = false;
    let complete = false;
    const progress: { bytes: number; total: number }[] = [];
    const t = start(undefined, () => afterwardsVerifier(async (b, onProgress) => {
      hashedBeforeEnd ||= !complete;
      return nodeHashBlob(b, onProgress);
    }));
    const size = 3 * 1024 * 1024;
    const expected = createHash('sha256');
    for (let i = 0; i < 48; i++) expected.update(new Uint8Array(64 * 1024).fill(i & 255));
    t.r.attachMeta('m1', meta(size, { sha256: expected.digest('hex') }));
    t.r.on('state', (s) => { if (s === 'verifying') { complete = true; t.r.on('progress', (p) => progress.push(p)); } });
    deliverMiB(t.ch, 3);
    await vi.waitFor(() => expect(t.r.state).toBe('done'));
    expect(hashedBeforeEnd).toBe(false);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.total === size && p.bytes <= size)).toBe(true);
    expect(t.ch.readyState).toBe('closed'); // the channel is released before the hash runs
    expect(new Uint8Array(await t.blob()!.arrayBuffer())[size - 1]).toBe(47);
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

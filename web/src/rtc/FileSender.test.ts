import { describe, expect, it } from 'vitest';
import { FileSender, sendWindow } from './FileSender';
import { encodeWord } from '../protocol/feedbackWords';
import type { ChatMessage } from '../protocol/chatMessage';
import type { PeerSession } from './PeerSession';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A stand-in for RTCDataChannel whose queue drains when the test says so. */
class FakeChannel extends EventTarget {
  id = 7;
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  maxQueued = 0;
  sent: number[] = [];
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  open() { this.readyState = 'open'; this.onopen?.(); }
  send(d: Uint8Array) {
    this.sent.push(d.byteLength);
    this.bufferedAmount += d.byteLength;
    this.maxQueued = Math.max(this.maxQueued, this.bufferedAmount);
  }
  /** The network takes everything queued; the receiver answers one word per chunk. */
  drainAndConfirm() {
    const sizes = this.sent.splice(0);
    this.bufferedAmount = 0;
    this.dispatchEvent(new Event('bufferedamountlow'));
    for (const n of sizes) this.onmessage?.({ data: encodeWord(n) });
  }
  close() { if (this.readyState !== 'closed') { this.readyState = 'closed'; this.dispatchEvent(new Event('close')); this.onclose?.(); } }
}

function fakeSession(ch: FakeChannel, ack = true) {
  const chat: ChatMessage[] = [];
  const session = {
    ownId: 'a'.repeat(8), peerId: 'b'.repeat(8), maxMessageSize: 65536,
    createFileChannel: () => ch,
    waitForAck: () => Promise.resolve(ack),
    sendChat: (m: ChatMessage) => { chat.push(m); return true; },
  };
  return { session: session as unknown as PeerSession, chat };
}

/** A file of `size` bytes whose reads from `failFrom` on fail, as when it changes on disk. */
function fileOf(size: number, failFrom = Infinity): Blob {
  return {
    size,
    slice: (a: number, b: number) => ({
      arrayBuffer: () => (a >= failFrom ? Promise.reject(new Error('NotReadableError')) : Promise.resolve(new ArrayBuffer(Math.min(b, size) - a))),
    }),
  } as unknown as Blob;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

async function openAndAck(size: number, failFrom?: number) {
  const ch = new FakeChannel();
  const { session, chat } = fakeSession(ch);
  const s = new FileSender(session, fileOf(size, failFrom), { category: 'file', name: 'x.bin', type: '', size }, async () => 'ab'.repeat(32));
  const states: string[] = [];
  s.on('state', (st, why) => states.push(why ? `${st}:${why}` : st));
  await s.start();
  ch.open();
  await tick(); await tick();
  return { ch, s, chat, states };
}

describe('FileSender', () => {
  it('sends the metadata with its sha256, then chunks within the window, and closes when confirmed', async () => {
    const { ch, s, chat } = await openAndAck(5 * MiB);
    expect(chat).toHaveLength(1);
    expect(JSON.stringify(chat[0])).toContain('ab'.repeat(32));
    let sentTotal = 0;
    for (let i = 0; i < 200 && s.state === 'sending'; i++) {
      sentTotal += ch.sent.reduce((a, b) => a + b, 0);
      ch.drainAndConfirm();
      await tick(); await tick();
    }
    expect(s.state).toBe('done');
    expect(sentTotal).toBe(5 * MiB);
    // never more queued than the high-water mark plus one chunk
    expect(ch.maxQueued).toBeLessThanOrEqual(sendWindow.high + 64 * KiB);
    expect(ch.readyState).toBe('closed');
  });

  it('fails with a clear error when the file can no longer be read, and closes the channel', async () => {
    const { ch, s, states } = await openAndAck(4 * MiB, 2 * MiB);
    for (let i = 0; i < 200 && s.state === 'sending'; i++) {
      ch.drainAndConfirm();
      await tick(); await tick();
    }
    expect(s.state).toBe('failed');
    expect(states.at(-1)).toBe('failed:could not read the file');
    expect(ch.readyState).toBe('closed');
  });
});

// Sends one file over its own `file` channel (PROTOCOL.md §7.6): the feedback reader is installed
// before the channel opens, metadata goes on `chat` when it opens, data only after the metadata
// ACK, chunks within the peer's max message size, back-pressure on bufferedAmount, and the channel
// is closed once the receiver's words add up to the size.
import { Emitter } from '../lib/emitter';
import { FeedbackWordReader } from '../protocol/feedbackWords';
import { buildFileMeta, newId, type FileMeta } from '../protocol/chatMessage';
import { RateMeter, type TransferProgress } from './transferStats';
import type { PeerSession } from './PeerSession';
import { readAhead } from './readAhead';

export type SendState = 'hashing' | 'waiting' | 'sending' | 'done' | 'failed' | 'cancelled';

export type FileSenderEvents = {
  meta: [messageId: string, meta: FileMeta];
  state: [SendState, string | undefined];
  progress: [TransferProgress];
};

/**
 * Back-pressure on `bufferedAmount`, as §7.6 rule 6 suggests: pause above 1 MiB, resume on
 * `bufferedamountlow` at 256 KiB. An 8 MiB window measured no faster (docs/BENCHMARKS.md).
 * Mutable so that the benchmark can compare windows in one run.
 */
export const sendWindow = { high: 1024 * 1024, low: 256 * 1024 };
/** Bytes read from the file per step; one step's sends run in one task, so this bounds the task. */
const READ_SLICE = 1024 * 1024;
const ACK_TIMEOUT_MS = 10_000;
const PROGRESS_EVERY_MS = 200;

export function chunkSizeFor(peerMax: number): number {
  return Math.max(1024, Math.min(peerMax, 65536));
}

export class FileSender extends Emitter<FileSenderEvents> {
  readonly messageId = newId();
  state: SendState = 'hashing';
  private dc: RTCDataChannel | null = null;
  private acked = false;
  private allQueued = false;
  private gotWord = false;
  private confirmed = 0;
  private readonly meter = new RateMeter();
  private lastProgress = 0;

  constructor(
    private readonly session: PeerSession,
    readonly file: Blob,
    private readonly meta: Omit<FileMeta, 'dcId' | 'sha256'>,
    private readonly hash: (b: Blob, onProgress: (n: number) => void) => Promise<string | undefined>,
  ) {
    super();
  }

  async start(): Promise<void> {
    let sha256: string | undefined;
    try {
      sha256 = await this.hash(this.file, (n) => this.emit('progress', { bytes: n, total: this.file.size, bytesPerSec: 0, etaSec: null }));
    } catch {
      sha256 = undefined; // the digest is optional (§7.6)
    }
    if (this.state === 'cancelled') return;
    this.setState('waiting');
    const dc = this.session.createFileChannel();
    this.dc = dc;
    dc.bufferedAmountLowThreshold = sendWindow.low;
    const reader = new FeedbackWordReader();
    // Installed before open so the receiver's early zero word is never lost (§7.6 step 2).
    dc.onmessage = (ev) => {
      if (!(ev.data instanceof ArrayBuffer)) return;
      for (const w of reader.push(ev.data)) { this.confirmed += w; this.gotWord = true; }
      this.reportProgress(false);
      this.maybeFinish();
    };
    dc.onclose = () => {
      if (this.state !== 'waiting' && this.state !== 'sending') return;
      // A receiver may complete and close as soon as its words add up to the size, even before
      // our side has seen the metadata ACK (§7.6 rule 10): that is success, not a refusal.
      if (this.gotWord && this.confirmed >= this.file.size && (this.allQueued || this.file.size === 0 || this.confirmed >= this.file.size)) {
        this.setState('done');
        this.reportProgress(true);
      } else this.fail('the receiver closed the transfer');
    };
    dc.onerror = () => { if (this.state === 'waiting' || this.state === 'sending') this.fail('channel error'); };
    dc.onopen = () => void this.onOpen(sha256);
  }

  cancel(): void {
    if (this.state === 'done' || this.state === 'failed' || this.state === 'cancelled') return;
    this.setState('cancelled');
    this.dc?.close();
  }

  private async onOpen(sha256: string | undefined): Promise<void> {
    const dc = this.dc!;
    const meta: FileMeta = { ...this.meta, dcId: String(dc.id) };
    if (sha256) meta.sha256 = sha256;
    this.emit('meta', this.messageId, meta);
    const ackPromise = this.session.waitForAck(this.messageId, ACK_TIMEOUT_MS);
    if (!this.session.sendChat(buildFileMeta({ from: this.session.ownId, to: this.session.peerId }, meta, this.messageId))) {
      this.fail('could not send the file description');
      return;
    }
    if (!(await ackPromise)) {
      this.fail('the peer did not acknowledge the file');
      return;
    }
    if (this.state !== 'waiting') return;
    this.acked = true;
    this.setState('sending');
    try {
      await this.pump();
    } catch {
      // The file changed or vanished on disk while it was being sent.
      if ((this.state as SendState) === 'sending') this.fail('could not read the file');
    }
  }

  private async pump(): Promise<void> {
    const dc = this.dc!;
    const chunk = chunkSizeFor(this.session.maxMessageSize);
    // The next slice is read while this one is sent: waiting for a read with the channel's queue
    // near its low-water mark would let the queue run dry.
    for await (const buf of readAhead(this.file, READ_SLICE)) {
      for (let p = 0; p < buf.byteLength; p += chunk) {
        if (this.state !== 'sending') return;
        if (dc.bufferedAmount > sendWindow.high) await this.drained();
        if (this.state !== 'sending' || dc.readyState !== 'open') return;
        dc.send(new Uint8Array(buf, p, Math.min(chunk, buf.byteLength - p)));
      }
    }
    this.allQueued = true;
    this.maybeFinish();
  }

  private drained(): Promise<void> {
    const dc = this.dc!;
    return new Promise((resolve) => {
      const done = () => { dc.removeEventListener('bufferedamountlow', done); dc.removeEventListener('close', done); resolve(); };
      dc.addEventListener('bufferedamountlow', done);
      dc.addEventListener('close', done);
    });
  }

  private maybeFinish(): void {
    if (this.state !== 'sending') return;
    const complete = this.file.size === 0 ? this.gotWord : this.allQueued && this.gotWord && this.confirmed >= this.file.size;
    if (!this.acked || !complete) return;
    this.setState('done');
    this.reportProgress(true);
    this.dc?.close();
  }

  private reportProgress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.emit('progress', this.meter.sample(Math.min(this.confirmed, this.file.size), this.file.size, now));
  }

  private fail(why: string): void {
    this.setState('failed', why);
    this.dc?.close();
  }

  private setState(s: SendState, why?: string): void {
    this.state = s;
    this.emit('state', s, why);
  }
}

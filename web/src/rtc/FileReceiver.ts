// Receives one file (PROTOCOL.md §7.6): metadata and channel are matched by dcId in either order;
// the zero word on open, one word per chunk, size and sha256 checks, and completion as soon as the
// total equals the size. Chunks are copied into one reused 1 MiB staging buffer, which becomes a
// Blob each time it fills: memory stays bounded, and each incoming message's ArrayBuffer dies at
// once instead of living on in a list (thousands of them per GiB, promoted to the old generation
// and collected by major GCs on the main thread).
// The words (one per chunk, §7.6 rule 7) go back in batches: a 4-byte message per 64 KiB chunk
// cost a bare channel a third of its throughput (docs/BENCHMARKS.md), and senders read the replies
// as a stream of words, so several words may share a message.
// A `sha256` is verified by a Verifier (rtc/hashBlob.ts), part by part while the data arrives or
// over the whole file after the last byte, with progress while it runs.
import { Emitter } from '../lib/emitter';
import { encodeWords } from '../protocol/feedbackWords';
import type { FileMeta } from '../protocol/chatMessage';
import { RateMeter, type TransferProgress } from './transferStats';
import type { Verifier } from './hashBlob';

export type ReceiveState = 'waiting' | 'receiving' | 'verifying' | 'done' | 'failed';

export type FileReceiverEvents = {
  state: [ReceiveState, string | undefined];
  progress: [TransferProgress];
  complete: [Blob];
};

export const MAX_RECEIVE_BYTES = 8 * 1024 * 1024 * 1024;
const META_TIMEOUT_MS = 10_000;
const FOLD_BYTES = 1024 * 1024;
const EARLY_DATA_LIMIT = 16 * 1024 * 1024;
const PROGRESS_EVERY_MS = 200;
/** Words sent together at most (1 MiB of 64 KiB chunks), and how long a word may wait. */
const WORDS_PER_MESSAGE = 16;
const WORD_WAIT_MS = 20;

export class FileReceiver extends Emitter<FileReceiverEvents> {
  state: ReceiveState = 'waiting';
  meta: FileMeta | null = null;
  messageId: string | null = null;
  private dc: RTCDataChannel | null = null;
  private parts: Blob[] = [];
  private verifier: Verifier | null = null;
  private verifiedParts = 0;
  private stage: Uint8Array<ArrayBuffer> | null = null;
  private staged = 0;
  private total = 0;
  private metaTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly meter = new RateMeter();
  private lastProgress = 0;
  private words: number[] = [];
  private wordTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly dcId: string, private readonly makeVerifier: () => Verifier) {
    super();
  }

  attachChannel(dc: RTCDataChannel): void {
    this.dc = dc;
    dc.binaryType = 'arraybuffer';
    const onOpen = () => {
      this.sendWord(0); // the early zero word (§7.6 step 4)
      if (!this.meta) this.metaTimer = setTimeout(() => { if (!this.meta) this.fail('no file description arrived'); }, META_TIMEOUT_MS);
      this.maybeCompleteEmpty();
    };
    dc.onmessage = (ev) => this.onData(ev.data);
    dc.onclose = () => this.onClose();
    dc.onerror = () => this.fail('channel error');
    if (dc.readyState === 'open') onOpen();
    else dc.onopen = onOpen;
  }

  /** Attaches metadata; returns false (and fails) when the file is refused. */
  attachMeta(messageId: string, meta: FileMeta): boolean {
    if (this.meta) return true;
    this.meta = meta;
    this.messageId = messageId;
    clearTimeout(this.metaTimer);
    if (meta.size > MAX_RECEIVE_BYTES) {
      this.fail('file is larger than this client accepts');
      return false;
    }
    if (this.total > meta.size) {
      this.fail('more data than announced');
      return false;
    }
    if (meta.sha256) { this.verifier = this.makeVerifier(); this.feedVerifier(); }
    if (this.total > 0) this.setState('receiving');
    this.maybeCompleteEmpty();
    if (this.meta && this.total === meta.size && meta.size > 0) void this.complete();
    return true;
  }

  cancel(): void {
    if (this.state === 'waiting' || this.state === 'receiving') this.fail('cancelled');
  }

  private onData(data: unknown): void {
    if (this.state !== 'waiting' && this.state !== 'receiving') return;
    if (!(data instanceof ArrayBuffer)) return; // text on a file channel is not data
    this.total += data.byteLength;
    this.queueWord(data.byteLength);
    if (!this.meta && this.total > EARLY_DATA_LIMIT) { this.fail('data without a file description'); return; }
    if (this.meta && this.total > this.meta.size) { this.fail('more data than announced'); return; }
    this.stageBytes(new Uint8Array(data));
    if (this.meta) {
      if (this.state === 'waiting') this.setState('receiving');
      this.reportProgress(false);
      if (this.total === this.meta.size) void this.complete();
    }
  }

  private stageBytes(bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length;) {
      this.stage ??= new Uint8Array(FOLD_BYTES);
      const n = Math.min(bytes.length - off, FOLD_BYTES - this.staged);
      this.stage.set(bytes.subarray(off, off + n), this.staged);
      this.staged += n;
      off += n;
      if (this.staged === FOLD_BYTES) this.fold();
    }
  }

  /** The staged bytes become a Blob (the constructor copies them), and the buffer is reused. */
  private fold(): void {
    if (!this.staged || !this.stage) return;
    this.parts.push(new Blob([this.stage.subarray(0, this.staged)]));
    this.staged = 0;
    this.feedVerifier();
  }

  /** Hands folded parts to the verifier as they are made (and those made before the metadata). */
  private feedVerifier(): void {
    if (!this.verifier) return;
    while (this.verifiedParts < this.parts.length) this.verifier.add(this.parts[this.verifiedParts++]);
  }

  private maybeCompleteEmpty(): void {
    if (this.meta && this.meta.size === 0 && this.dc && this.dc.readyState === 'open' && this.state === 'waiting') void this.complete();
  }

  private async complete(): Promise<void> {
    if (!this.meta || (this.state !== 'waiting' && this.state !== 'receiving')) return;
    this.fold();
    this.reportProgress(true);
    this.setState('verifying');
    this.flushWords(); // the word for the last chunk goes before the close (§7.6 rule 10)
    this.dc?.close(); // the total equals the size: finish at once
    const blob = new Blob(this.parts, { type: this.meta.type || 'application/octet-stream' });
    this.parts = [];
    this.stage = null;
    if (this.meta.sha256 && this.verifier) {
      // The check's own progress (bytes hashed), shown as soon as it starts.
      const meter = new RateMeter();
      this.lastProgress = 0;
      try {
        const hex = await this.verifier.finish(blob, (n) => this.reportProgress(false, n, meter));
        if (hex !== this.meta.sha256) {
          this.setState('failed', 'checksum mismatch: the file arrived corrupted');
          return;
        }
      } catch {
        this.setState('failed', 'could not verify the checksum');
        return;
      }
    }
    this.setState('done');
    this.emit('complete', blob);
  }

  private onClose(): void {
    if (this.state === 'waiting' || this.state === 'receiving') {
      if (this.meta && this.total === this.meta.size) void this.complete();
      else this.fail(this.meta ? `incomplete: ${this.total} of ${this.meta.size} bytes` : 'closed before the file description');
    }
  }

  /** The early zero word goes at once; the others wait for a batch or WORD_WAIT_MS. */
  private sendWord(n: number): void {
    this.words.push(n);
    this.flushWords();
  }

  private queueWord(n: number): void {
    this.words.push(n);
    if (this.words.length >= WORDS_PER_MESSAGE) this.flushWords();
    else this.wordTimer ??= setTimeout(() => this.flushWords(), WORD_WAIT_MS);
  }

  private flushWords(): void {
    clearTimeout(this.wordTimer);
    this.wordTimer = undefined;
    if (!this.words.length) return;
    const words = this.words;
    this.words = [];
    try { if (this.dc?.readyState === 'open') this.dc.send(encodeWords(words)); } catch { /* closing */ }
  }

  private reportProgress(force: boolean, bytes = this.total, meter = this.meter): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.emit('progress', meter.sample(bytes, this.meta?.size ?? bytes, now));
  }

  private fail(why: string): void {
    if (this.state === 'done' || this.state === 'failed') return;
    clearTimeout(this.metaTimer);
    clearTimeout(this.wordTimer);
    this.words = [];
    this.parts = [];
    this.stage = null;
    this.staged = 0;
    this.verifier?.abort();
    this.verifier = null;
    this.setState('failed', why);
    try { this.dc?.close(); } catch { /* closed */ }
  }

  private setState(s: ReceiveState, why?: string): void {
    this.state = s;
    this.emit('state', s, why);
  }
}

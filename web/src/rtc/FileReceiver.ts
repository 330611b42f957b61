// Receives one file (PROTOCOL.md §7.6): metadata and channel are matched by dcId in either order;
// the zero word on open, one word per chunk, size and sha256 checks, and completion as soon as the
// total equals the size. Chunks are folded into Blobs as they arrive so memory stays bounded.
import { Emitter } from '../signalling/emitter';
import { encodeWord } from '../protocol/feedbackWords';
import type { FileMeta } from '../protocol/chatMessage';
import { RateMeter, type TransferProgress } from './transferStats';
import type { StreamHasher } from './hashBlob';

export type ReceiveState = 'waiting' | 'receiving' | 'verifying' | 'done' | 'failed';

export type FileReceiverEvents = {
  state: [ReceiveState, string | undefined];
  progress: [TransferProgress];
  complete: [Blob];
};

export const MAX_RECEIVE_BYTES = 8 * 1024 * 1024 * 1024;
const META_TIMEOUT_MS = 10_000;
const FOLD_BYTES = 8 * 1024 * 1024;
const EARLY_DATA_LIMIT = 16 * 1024 * 1024;
const PROGRESS_EVERY_MS = 200;

export class FileReceiver extends Emitter<FileReceiverEvents> {
  state: ReceiveState = 'waiting';
  meta: FileMeta | null = null;
  messageId: string | null = null;
  private dc: RTCDataChannel | null = null;
  private parts: Blob[] = [];
  private hasher: StreamHasher | null = null;
  private hashedParts = 0;
  private pending: ArrayBuffer[] = [];
  private pendingBytes = 0;
  private total = 0;
  private metaTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly meter = new RateMeter();
  private lastProgress = 0;

  constructor(readonly dcId: string, private readonly makeHasher: () => StreamHasher) {
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
    if (meta.sha256) { this.hasher = this.makeHasher(); this.feedHasher(); }
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
    this.sendWord(data.byteLength);
    if (!this.meta && this.total > EARLY_DATA_LIMIT) { this.fail('data without a file description'); return; }
    if (this.meta && this.total > this.meta.size) { this.fail('more data than announced'); return; }
    this.pending.push(data);
    this.pendingBytes += data.byteLength;
    if (this.pendingBytes >= FOLD_BYTES) this.fold();
    if (this.meta) {
      if (this.state === 'waiting') this.setState('receiving');
      this.reportProgress(false);
      if (this.total === this.meta.size) void this.complete();
    }
  }

  private fold(): void {
    if (!this.pending.length) return;
    this.parts.push(new Blob(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
    this.feedHasher();
  }

  /** Hands folded parts to the streaming hash as they are made. */
  private feedHasher(): void {
    if (!this.hasher) return;
    while (this.hashedParts < this.parts.length) this.hasher.update(this.parts[this.hashedParts++]);
  }

  private maybeCompleteEmpty(): void {
    if (this.meta && this.meta.size === 0 && this.dc && this.dc.readyState === 'open' && this.state === 'waiting') void this.complete();
  }

  private async complete(): Promise<void> {
    if (!this.meta || (this.state !== 'waiting' && this.state !== 'receiving')) return;
    this.fold();
    this.reportProgress(true);
    this.setState('verifying');
    this.dc?.close(); // the total equals the size: finish at once (§7.6 rule 10)
    const blob = new Blob(this.parts, { type: this.meta.type || 'application/octet-stream' });
    this.parts = [];
    if (this.meta.sha256 && this.hasher) {
      try {
        const hex = await this.hasher!.finish();
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

  private sendWord(n: number): void {
    try { if (this.dc?.readyState === 'open') this.dc.send(encodeWord(n)); } catch { /* closing */ }
  }

  private reportProgress(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    this.lastProgress = now;
    this.emit('progress', this.meter.sample(this.total, this.meta?.size ?? this.total, now));
  }

  private fail(why: string): void {
    if (this.state === 'done' || this.state === 'failed') return;
    clearTimeout(this.metaTimer);
    this.parts = [];
    this.pending = [];
    void this.hasher?.finish().catch(() => undefined); // frees the worker's state
    this.hasher = null;
    this.setState('failed', why);
    try { this.dc?.close(); } catch { /* closed */ }
  }

  private setState(s: ReceiveState, why?: string): void {
    this.state = s;
    this.emit('state', s, why);
  }
}

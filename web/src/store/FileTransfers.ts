// File transfers of all peers: starts FileSenders, matches incoming `file` channels and
// metadata to FileReceivers, and mirrors their progress into the store's `transfers`.
import { FileSender } from '../rtc/FileSender';
import { FileReceiver } from '../rtc/FileReceiver';
import { hashBlob, policyVerifier } from '../rtc/hashBlob';
import { imageThumbnail, videoThumbnail } from '../rtc/thumbnail';
import type { PeerSession } from '../rtc/PeerSession';
import type { FileCategory, FileMeta } from '../protocol/chatMessage';
import { categoryForDrop } from '../protocol/fileCategory';
import type { AppState, TransferState, TransferView } from './types';
import type { StoredMessage } from './records';

export type FileSource = 'picker' | 'media' | 'drop' | 'paste';

/** What the transfers need from the store. */
export interface TransferHost {
  setState(f: (s: AppState) => Partial<AppState>): void;
  convOf(nodeId: string): string | undefined;
  ownId(): string | undefined;
  session(nodeId: string): PeerSession;
  addMessage(conv: string, m: StoredMessage): void;
  patchMessage(conv: string, id: string, f: (m: StoredMessage) => StoredMessage): void;
  setDelivery(conv: string, id: string, d: 'delivered' | 'failed'): void;
  /** a received file is complete: keep it for after a reload */
  keepFile(messageId: string, blob: Blob): void;
}

const MAX_RECEIVERS_PER_PEER = 64;

export class FileTransfers {
  private senders = new Map<string, FileSender>();
  private receivers = new Map<string, Map<string, FileReceiver>>(); // peer -> dcId -> receiver

  constructor(private readonly host: TransferHost) {}

  async send(nodeId: string, files: File[], source: FileSource): Promise<void> {
    for (const f of files) await this.sendOne(nodeId, f, source);
  }

  cancel(messageId: string): void {
    this.senders.get(messageId)?.cancel();
    for (const r of this.receivers.values()) for (const x of r.values()) if (x.messageId === messageId) x.cancel();
  }

  /** An incoming `file` channel; its id is known once it opens at the latest. */
  onFileChannel(nodeId: string, dc: RTCDataChannel): void {
    const attach = () => this.receiverFor(nodeId, String(dc.id)).attachChannel(dc);
    if (dc.id !== null) attach();
    else dc.addEventListener('open', attach, { once: true });
  }

  /** Incoming metadata; false when the file is refused. */
  onFileMeta(nodeId: string, messageId: string, meta: FileMeta): boolean {
    const r = this.receiverFor(nodeId, meta.dcId);
    this.setTransfer(messageId, { direction: 'receive', state: 'waiting' });
    const ok = r.attachMeta(messageId, meta);
    this.setTransfer(messageId, { state: r.state });
    return ok;
  }

  dropPeer(nodeId: string): void {
    for (const r of this.receivers.get(nodeId)?.values() ?? []) r.cancel();
    this.receivers.delete(nodeId);
  }

  dropAll(): void {
    for (const id of [...this.receivers.keys()]) this.dropPeer(id);
  }

  private setTransfer(id: string, patch: Partial<TransferView> & { direction?: 'send' | 'receive' }): void {
    this.host.setState((s) => {
      const old = s.transfers[id] ?? { messageId: id, direction: patch.direction ?? 'receive', state: 'waiting' as TransferState };
      const next = { ...old, ...patch };
      if (patch.state && patch.state !== old.state) next.stateTimes = { ...old.stateTimes, [patch.state]: Date.now() };
      return { transfers: { ...s.transfers, [id]: next } };
    });
  }

  private async sendOne(nodeId: string, file: File, source: FileSource): Promise<void> {
    const conv = this.host.convOf(nodeId);
    if (!conv || !this.host.ownId()) return;
    const session = this.host.session(nodeId);
    session.initiate();
    // §7.6: the file picker sends `file`, the media picker image/video, drop and paste by type.
    const category: FileCategory = source === 'picker' ? 'file' : source === 'media' ? (file.type.startsWith('video/') ? 'video' : 'image') : categoryForDrop(file.type);
    let thumbnail: string | undefined;
    if (category === 'image') thumbnail = await imageThumbnail(file);
    else if (category === 'video') thumbnail = await videoThumbnail(file);
    const meta: Omit<FileMeta, 'dcId' | 'sha256'> = { category, name: file.name || 'pasted', type: file.type, size: file.size };
    if (thumbnail) meta.thumbnail = { dataURL: thumbnail, mime: 'image/jpeg' };
    const sender = new FileSender(session, file, meta, (b, onProgress) => hashBlob(b, onProgress));
    const id = sender.messageId;
    this.senders.set(id, sender);
    this.host.addMessage(conv, { messageId: id, conv, author: 'me', timestamp: Date.now(), file: { ...meta, dcId: '' }, delivery: 'sending' });
    this.setTransfer(id, { direction: 'send', state: 'hashing', url: URL.createObjectURL(file) });
    sender.on('meta', (_id, full) => this.host.patchMessage(conv, id, (x) => ({ ...x, file: full })));
    sender.on('state', (state, why) => {
      this.setTransfer(id, { state, error: why });
      if (state === 'sending' || state === 'done') this.host.setDelivery(conv, id, 'delivered');
      if (state === 'failed') this.host.setDelivery(conv, id, 'failed');
      if (state === 'done' || state === 'failed' || state === 'cancelled') this.senders.delete(id);
    });
    sender.on('progress', (progress) => this.setTransfer(id, { progress }));
    // Wait for the chat channel, so the metadata can go out when `file` opens.
    await waitChatOpen(session);
    void sender.start();
  }

  private receiverFor(nodeId: string, dcId: string): FileReceiver {
    let byDc = this.receivers.get(nodeId);
    if (!byDc) this.receivers.set(nodeId, (byDc = new Map()));
    const existing = byDc.get(dcId);
    if (existing) return existing;
    if (byDc.size >= MAX_RECEIVERS_PER_PEER) {
      // A peer opening channels without ever finishing them: refuse the oldest.
      const oldest = byDc.values().next().value;
      oldest?.cancel();
      if (oldest) byDc.delete(oldest.dcId);
    }
    const r = new FileReceiver(dcId, policyVerifier);
    byDc.set(dcId, r);
    const peerMap = byDc;
    r.on('state', (state, why) => {
      if (r.messageId) this.setTransfer(r.messageId, { direction: 'receive', state, error: why });
      if (state === 'done' || state === 'failed') peerMap.delete(dcId); // stream ids are reused later
    });
    r.on('progress', (progress) => { if (r.messageId) this.setTransfer(r.messageId, { progress }); });
    r.on('complete', (blob) => {
      if (!r.messageId) return;
      this.setTransfer(r.messageId, { url: URL.createObjectURL(blob) });
      this.host.keepFile(r.messageId, blob);
    });
    return r;
  }
}

function waitChatOpen(s: PeerSession, timeoutMs = 15_000): Promise<void> {
  if (s.chatOpen) return Promise.resolve();
  return new Promise((resolve) => {
    const off = s.on('chatOpen', () => { clearTimeout(t); off(); resolve(); });
    const t = setTimeout(() => { off(); resolve(); }, timeoutMs);
  });
}

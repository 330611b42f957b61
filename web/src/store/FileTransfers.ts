// The files slice: transfers of all peers. Starts FileSenders, matches incoming `file` channels
// and metadata to FileReceivers, mirrors their progress into the store's `transfers`, and keeps
// completed received files in IndexedDB (size-capped) so that they open again after a reload.
import { FileSender } from '../rtc/FileSender';
import { FileReceiver } from '../rtc/FileReceiver';
import { hashBlob, policyVerifier } from '../rtc/hashBlob';
import { imageThumbnail, videoThumbnail } from '../rtc/thumbnail';
import type { PeerSession } from '../rtc/PeerSession';
import type { FileCategory, FileMeta } from '../protocol/chatMessage';
import { categoryForDrop } from '../protocol/fileCategory';
import type { StoreAccess } from './Store';
import * as db from './db';
import type { StoredMessage } from './records';
import type { AppState, TransferState, TransferView } from './types';

export type FileSource = 'picker' | 'media' | 'drop' | 'paste';

/** What the transfers need from the rest of the application. */
export interface TransferHost {
  /** the peer's session, made if needed (a file is sent on its own channel of it) */
  session(nodeId: string): PeerSession;
  /** the file's message in its conversation */
  conversations: {
    addMessage(conv: string, m: StoredMessage): void;
    patchMessage(conv: string, id: string, f: (m: StoredMessage) => StoredMessage): void;
    setDelivery(conv: string, id: string, d: 'delivered' | 'failed'): void;
    /** the current key of a conversation whose peer was identified meanwhile */
    canon(conv: string): string;
  };
}

const MAX_RECEIVERS_PER_PEER = 64;
const FILE_CACHE_BYTES = 512 * 1024 * 1024;

export class FileTransfers {
  private senders = new Map<string, FileSender>();
  private receivers = new Map<string, Map<string, FileReceiver>>(); // peer -> dcId -> receiver
  /** messageId -> conversation of each file being received, to keep it where its message is */
  private readonly convOfMessage = new Map<string, string>();

  constructor(private readonly store: StoreAccess<AppState>, private readonly host: TransferHost) {}

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

  /** Incoming metadata of a message in `conv`; false when the file is refused. */
  onFileMeta(nodeId: string, messageId: string, meta: FileMeta, conv: string): boolean {
    const r = this.receiverFor(nodeId, meta.dcId);
    this.convOfMessage.set(messageId, conv);
    this.setTransfer(messageId, { direction: 'receive', state: 'waiting' });
    const ok = r.attachMeta(messageId, meta);
    this.setTransfer(messageId, { state: r.state });
    if (!ok) this.convOfMessage.delete(messageId);
    return ok;
  }

  /** Received files kept on this device get their download (and inline view) back after a reload. */
  async restoreFiles(messages: StoredMessage[]): Promise<void> {
    for (const m of messages) {
      if (this.store.get().transfers[m.messageId]) continue;
      const f = await db.loadFile(m.messageId);
      if (!f) continue;
      const url = URL.createObjectURL(f.blob);
      this.store.set((s) => ({ transfers: { ...s.transfers, [m.messageId]: { messageId: m.messageId, direction: 'receive', state: 'done', url, kept: 'kept' } } }));
    }
  }

  dropPeer(nodeId: string): void {
    for (const r of this.receivers.get(nodeId)?.values() ?? []) r.cancel();
    this.receivers.delete(nodeId);
  }

  dropAll(): void {
    for (const id of [...this.receivers.keys()]) this.dropPeer(id);
  }

  private setTransfer(id: string, patch: Partial<TransferView> & { direction?: 'send' | 'receive' }): void {
    this.store.set((s) => {
      const old = s.transfers[id] ?? { messageId: id, direction: patch.direction ?? 'receive', state: 'waiting' as TransferState };
      const next = { ...old, ...patch };
      if (patch.state && patch.state !== old.state) next.stateTimes = { ...old.stateTimes, [patch.state]: Date.now() };
      return { transfers: { ...s.transfers, [id]: next } };
    });
  }

  private async sendOne(nodeId: string, file: File, source: FileSource): Promise<void> {
    const state = this.store.get();
    const conv = state.peers[nodeId]?.conv;
    if (!conv || !state.ownId) return;
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
    this.host.conversations.addMessage(conv, { messageId: id, conv, author: 'me', timestamp: Date.now(), file: { ...meta, dcId: '' }, delivery: 'sending' });
    this.setTransfer(id, { direction: 'send', state: 'hashing', url: URL.createObjectURL(file) });
    sender.on('meta', (_id, full) => this.host.conversations.patchMessage(conv, id, (x) => ({ ...x, file: full })));
    sender.on('state', (state, why) => {
      this.setTransfer(id, { state, error: why });
      if (state === 'sending' || state === 'done') this.host.conversations.setDelivery(conv, id, 'delivered');
      if (state === 'failed') this.host.conversations.setDelivery(conv, id, 'failed');
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
      if (r.messageId && state === 'failed') this.convOfMessage.delete(r.messageId);
      if (state === 'done' || state === 'failed') peerMap.delete(dcId); // stream ids are reused later
    });
    r.on('progress', (progress) => { if (r.messageId) this.setTransfer(r.messageId, { progress }); });
    r.on('complete', (blob) => {
      if (!r.messageId) return;
      this.setTransfer(r.messageId, { url: URL.createObjectURL(blob) });
      void this.keepFile(r.messageId, blob);
    });
    return r;
  }

  /** Keeps a received file within the size cap (oldest evicted first). */
  private async keepFile(messageId: string, blob: Blob): Promise<void> {
    const captured = this.convOfMessage.get(messageId);
    this.convOfMessage.delete(messageId);
    const conv = captured === undefined ? undefined : this.host.conversations.canon(captured);
    if (!conv || !db.isPersistentConv(conv)) return;
    const kept = await db.keepFile({ messageId, conv, blob, size: blob.size, savedAt: Date.now() }, await fileCacheBytes());
    this.store.set((s) => (s.transfers[messageId] ? { transfers: { ...s.transfers, [messageId]: { ...s.transfers[messageId], kept } } } : {}));
  }
}

/** Room for received files: 512 MiB, or a fifth of the origin's quota when that is smaller. */
let cacheBytes: number | undefined;
async function fileCacheBytes(): Promise<number> {
  if (cacheBytes !== undefined) return cacheBytes;
  let quota = Infinity;
  try { quota = (await navigator.storage?.estimate?.())?.quota ?? Infinity; } catch { /* unknown */ }
  cacheBytes = Math.min(FILE_CACHE_BYTES, quota / 5);
  return cacheBytes;
}

function waitChatOpen(s: PeerSession, timeoutMs = 15_000): Promise<void> {
  if (s.chatOpen) return Promise.resolve();
  return new Promise((resolve) => {
    const off = s.on('chatOpen', () => { clearTimeout(t); off(); resolve(); });
    const t = setTimeout(() => { off(); resolve(); }, timeoutMs);
  });
}

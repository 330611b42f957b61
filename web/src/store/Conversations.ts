// The conversations slice: the message lists in memory (`conversations`), which one is open
// (`selected`, `selectedConv`), the kept ones ("Earlier conversations", `pastConvs`), history
// loaded from IndexedDB, unread marks, and the move of an anonymous peer's provisional
// conversation to its lasting key once its certificate is known (peerDirectory.convKeyOf).
import { fingerprintKey } from '../protocol/sdpFingerprint';
import type { StoreAccess } from './Store';
import { append, update } from './conversation';
import { isProvisionalConv } from './peerDirectory';
import * as db from './db';
import * as prefs from './localPrefs';
import type { ConvInfo, Delivery, StoredMessage } from './records';
import type { AppState } from './types';

const HISTORY_LIMIT = 300;

/** What the conversations need from the rest of the application. */
export interface ConversationsHost {
  /** connect to a peer (we offer, §6.1), so that it is identified and its history appears */
  connect(nodeId: string): void;
  /** received files kept on this device get their download back after a reload */
  restoreFiles(messages: StoredMessage[]): Promise<void>;
}

export class Conversations {
  /** provisional conversation keys → the key their peer got once identified */
  private aliases = new Map<string, string>();
  private loadedConvs = new Set<string>();

  constructor(private readonly store: StoreAccess<AppState>, private readonly host: ConversationsHost) {}

  /**
   * The current key of a conversation. A key captured before its peer was identified (a pending
   * ACK, a file transfer) still reaches the conversation afterwards.
   */
  canon(conv: string): string {
    return this.aliases.get(conv) ?? conv;
  }

  setConv(conv: string, list: StoredMessage[]): void {
    const key = this.canon(conv);
    this.store.set((s) => ({ conversations: { ...s.conversations, [key]: list } }));
  }

  /** Adds a message (not written to disk here) and records the activity. */
  addMessage(c: string, m: StoredMessage): void {
    const conv = this.canon(c);
    this.setConv(conv, append(this.store.get().conversations[conv] ?? [], m));
    this.touchConv(conv, m.timestamp);
  }

  /** Changes one message and writes it. */
  patchMessage(c: string, id: string, f: (m: StoredMessage) => StoredMessage): void {
    const conv = this.canon(c);
    const [next, changed] = update(this.store.get().conversations[conv] ?? [], id, f);
    this.setConv(conv, next);
    if (changed) void db.saveMessage(changed);
  }

  /** An own message was delivered, or not; a delivered one stays delivered. */
  setDelivery(c: string, id: string, delivery: Delivery): void {
    const conv = this.canon(c);
    const list = this.store.get().conversations[conv];
    if (!list) return;
    const [next, changed] = update(list, id, (x) => (x.delivery === 'delivered' ? x : { ...x, delivery }));
    if (!changed) return;
    this.setConv(conv, next);
    void db.saveMessage(changed);
  }

  /** Opens the chat with a peer, connecting to it if needed (we are the offerer, §6.1). */
  openChat(nodeId: string): void {
    this.store.set({ selected: nodeId, selectedConv: undefined });
    const peer = this.store.get().peers[nodeId];
    if (!peer) return;
    void this.loadHistory(peer.conv);
    this.host.connect(nodeId);
  }

  closeChat(): void {
    this.store.set({ selected: undefined, selectedConv: undefined });
  }

  /** Opens an earlier conversation (its peer is not online): read-only. */
  openPastConv(conv: string): void {
    this.store.set({ selected: undefined, selectedConv: conv });
    void this.loadHistory(conv);
  }

  /** Deletes a conversation kept on this device, with its files. */
  async deleteConversation(conv: string): Promise<void> {
    await db.deleteConv(conv);
    this.loadedConvs.delete(conv);
    this.store.set((s) => {
      const conversations = { ...s.conversations };
      delete conversations[conv];
      return { conversations, selectedConv: s.selectedConv === conv ? undefined : s.selectedConv, pastConvs: s.pastConvs.filter((c) => c.conv !== conv) };
    });
  }

  async refreshPastConvs(): Promise<void> {
    this.store.set({ pastConvs: await db.listConvs() });
  }

  /** Records the conversation's peer and activity, for "Earlier conversations". */
  touchConv(c: string, timestamp: number): void {
    const conv = this.canon(c);
    if (!db.isPersistentConv(conv)) return;
    const state = this.store.get();
    const peer = Object.values(state.peers).find((p) => p.conv === conv);
    const known = state.pastConvs.find((c) => c.conv === conv);
    const info: ConvInfo = peer
      ? { conv, name: peer.displayName || peer.name, colourIndex: peer.colourIndex, username: peer.username, lastActivity: timestamp }
      : { ...(known ?? db.legacyConvInfo(conv)), lastActivity: timestamp };
    void db.saveConv(info);
    this.store.set((s) => ({ pastConvs: [{ ...known, ...info, lastActivity: Math.max(known?.lastActivity ?? 0, timestamp) }, ...s.pastConvs.filter((c) => c.conv !== conv)] }));
  }

  /** The newest messages of a conversation from disk, once per conversation. */
  async loadHistory(conv: string): Promise<void> {
    if (this.loadedConvs.has(conv) || !db.isPersistentConv(conv)) return;
    this.loadedConvs.add(conv);
    const stored = await db.loadRecent(conv, HISTORY_LIMIT);
    if (!stored.length) return;
    this.store.set((s) => {
      let list = s.conversations[conv] ?? [];
      for (const m of stored) {
        // A message still "sending" when the page went away was never confirmed.
        const fixed = m.delivery === 'sending' || m.delivery === 'held' ? { ...m, delivery: 'failed' as const } : m;
        list = append(list, fixed);
      }
      return { conversations: { ...s.conversations, [conv]: list } };
    });
    await this.host.restoreFiles(stored.filter((m) => m.file && m.author === 'peer'));
  }

  /** A peer's connection revealed its certificate: an anonymous Parley peer gets its lasting key. */
  identify(nodeId: string, fingerprint: string): void {
    const state = this.store.get();
    const peer = state.peers[nodeId];
    if (!peer || !isProvisionalConv(peer.conv)) return;
    const from = peer.conv;
    const conv = fingerprintKey(fingerprint);
    this.aliases.set(from, conv);
    const pending = (state.conversations[from] ?? []).map((m) => ({ ...m, conv }));
    this.store.set((s) => {
      const conversations = { ...s.conversations };
      delete conversations[from];
      let list = conversations[conv] ?? [];
      for (const m of pending) list = append(list, m);
      conversations[conv] = list;
      return { peers: { ...s.peers, [nodeId]: { ...s.peers[nodeId], conv } }, conversations };
    });
    if (pending.length) {
      void db.saveMessages(pending);
      this.touchConv(conv, pending[pending.length - 1].timestamp);
    }
    void this.loadHistory(conv);
  }

  /** Marks messages read once they are seen (§10.4). */
  markRead(conv: string, ids: string[]): void {
    const list = this.store.get().conversations[conv];
    if (!list || !ids.length) return;
    const set = new Set(ids);
    let changed = false;
    const next = list.map((m) => {
      if (!m.unread || !set.has(m.messageId)) return m;
      changed = true;
      const r = { ...m, unread: false };
      void db.saveMessage(r);
      return r;
    });
    if (!changed) return;
    this.setConv(conv, next);
    this.persistUnreads();
  }

  /** `all_unreads` for the original client (§10.2). */
  persistUnreads(): void {
    const state = this.store.get();
    if (!state.ownId) return;
    const ids: string[] = [];
    for (const list of Object.values(state.conversations)) for (const m of list) if (m.unread) ids.push(m.messageId);
    prefs.saveUnreads(state.ownId, ids);
  }
}

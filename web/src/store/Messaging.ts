// The messaging slice: own messages sent on a peer's chat channel (queued until it opens, ACK or
// "not delivered" after 10 s, retry, edit, delete), and what arrives from the peer: messages,
// amends, deletes and file metadata (ACKed), msgpatch orders (held when early), and audio tracks
// (`audio`, with a local-only entry in the conversation).
import type { PeerSession } from '../rtc/PeerSession';
import { buildAck, buildAmend, buildDelete, buildText, chatKind, displayText, type ChatMessage, type FileMeta } from '../protocol/chatMessage';
import { isSafeThumbnail } from '../protocol/fileCategory';
import type { PatchOrder } from '../protocol/msgpatch';
import type { StoreAccess } from './Store';
import { append, applyAmend, applyDelete, applyPatchOrder, clampText, PatchBuffer, update } from './conversation';
import * as db from './db';
import type { Delivery, StoredMessage } from './records';
import type { AppState } from './types';

const ACK_TIMEOUT_MS = 10_000;
const MAX_TEXT_LENGTH = 16_000;
const MAX_UNSENT = 200;

/** What messaging needs from the rest of the application. */
export interface MessagingHost {
  /** the peers' sessions: one made on demand to send, an existing one to answer */
  mesh: { ensure(nodeId: string): PeerSession; get(nodeId: string): PeerSession | undefined };
  conversations: {
    setConv(conv: string, list: StoredMessage[]): void;
    touchConv(conv: string, timestamp: number): void;
    setDelivery(conv: string, id: string, d: Delivery): void;
    persistUnreads(): void;
  };
  /** whether sending to the peer waits for the user (its safety number changed, Verification.ts) */
  verification: { holds(nodeId: string): boolean };
  files: {
    /** incoming file metadata; false when the file is refused */
    onFileMeta(nodeId: string, messageId: string, meta: FileMeta, conv: string): boolean;
    cancel(messageId: string): void;
  };
}

export class Messaging {
  private patchBuffers = new Map<string, PatchBuffer>();
  private unsent = new Map<string, ChatMessage[]>(); // peer -> queued until chat opens
  /** own messages held (not sent) while the peer's changed certificate waits for the user */
  private held = new Map<string, Map<string, { conv: string; ackExpired: boolean }>>(); // peer -> messageId ->
  /** whether the page is visible: a message arriving in the open chat is then read at once */
  visible = typeof document === 'undefined' || document.visibilityState === 'visible';

  constructor(private readonly store: StoreAccess<AppState>, private readonly host: MessagingHost) {}

  sendText(nodeId: string, text: string): void {
    const state = this.store.get();
    const conv = state.peers[nodeId]?.conv;
    if (!conv || !state.ownId || !text.trim()) return;
    const m = buildText(this.route(nodeId), text.slice(0, MAX_TEXT_LENGTH));
    const stored: StoredMessage = { messageId: m.messageId, conv, author: 'me', timestamp: m.timestamp!, text: m.message, delivery: 'sending' };
    this.host.conversations.setConv(conv, append(state.conversations[conv] ?? [], stored));
    void db.saveMessage(stored);
    this.host.conversations.touchConv(conv, stored.timestamp);
    this.deliver(nodeId, conv, m);
  }

  retry(nodeId: string, messageId: string): void {
    const [conv, msg] = this.ownMessage(nodeId, messageId);
    if (!conv || !msg || msg.author !== 'me' || msg.file || msg.delivery !== 'failed') return;
    const [next] = update(this.store.get().conversations[conv], messageId, (x) => ({ ...x, delivery: 'sending' }));
    this.host.conversations.setConv(conv, next);
    this.deliver(nodeId, conv, buildText(this.route(nodeId), msg.text ?? '', msg.messageId, msg.timestamp));
  }

  editMessage(nodeId: string, messageId: string, text: string): void {
    const [conv, msg] = this.ownMessage(nodeId, messageId);
    if (!conv || !msg || msg.author !== 'me' || msg.file || !text.trim()) return;
    const newText = text.slice(0, MAX_TEXT_LENGTH);
    const [next, changed] = update(this.store.get().conversations[conv], messageId, (x) => ({ ...x, text: newText, edited: true }));
    this.host.conversations.setConv(conv, next);
    if (changed) void db.saveMessage(changed);
    const route = this.route(nodeId);
    this.transmit(nodeId, buildAmend(route, { messageId, message: msg.text, timestamp: msg.timestamp, fromNodeId: route.from, toNodeId: route.to }, newText));
  }

  deleteMessage(nodeId: string, messageId: string): void {
    const [conv, msg] = this.ownMessage(nodeId, messageId);
    if (!conv || !msg || msg.author !== 'me') return;
    this.host.conversations.setConv(conv, this.store.get().conversations[conv].filter((x) => x.messageId !== messageId));
    void db.deleteMessage(messageId);
    if (msg.file) this.host.files.cancel(messageId);
    this.transmit(nodeId, buildDelete(this.route(nodeId), messageId));
  }

  /** The peer's chat channel opened: what was queued goes out, unless the peer's key changed. */
  flushUnsent(nodeId: string): void {
    if (this.host.verification.holds(nodeId)) { this.markHeld(nodeId); return; }
    const q = this.unsent.get(nodeId);
    this.unsent.delete(nodeId);
    const s = this.host.mesh.get(nodeId);
    for (const m of q ?? []) if (!s?.sendChat(m)) this.transmit(nodeId, m);
  }

  onChat(nodeId: string, m: ChatMessage): void {
    const state = this.store.get();
    const conv = state.peers[nodeId]?.conv;
    const kind = chatKind(m);
    if (kind === 'ack') { this.lateAck(nodeId, m.ack!.messageId); return; } // never ACK an ACK
    if (kind === 'ping' || kind === 'pong') return;
    const ack = () => this.host.mesh.get(nodeId)?.sendChat(buildAck(this.route(nodeId), m.messageId));
    if (!conv || kind === 'empty') { ack(); return; } // nothing to show
    const conversations = this.host.conversations;
    const list = state.conversations[conv] ?? [];
    if (kind === 'amend') {
      const [next, changed] = applyAmend(list, m);
      if (changed) { conversations.setConv(conv, next); void db.saveMessage(changed); }
      ack();
      return;
    }
    if (kind === 'delete') {
      const [next, gone] = applyDelete(list, m);
      if (gone) { conversations.setConv(conv, next); void db.deleteMessage(gone); this.host.files.cancel(gone); }
      ack();
      return;
    }
    if (list.some((x) => x.messageId === m.messageId)) { ack(); return; } // duplicates are ACKed again
    const seen = state.selected === nodeId && this.visible;
    const stored: StoredMessage = {
      messageId: m.messageId,
      conv,
      author: 'peer',
      timestamp: Date.now(), // our clock: a peer's clock must not reorder the list
      unread: !seen || undefined,
    };
    if (kind === 'file' && m.file) {
      const meta: FileMeta = { ...m.file };
      if (meta.thumbnail && !isSafeThumbnail(meta.thumbnail.dataURL)) delete meta.thumbnail;
      meta.name = meta.name.slice(0, 255);
      stored.file = meta;
      if (!this.host.files.onFileMeta(nodeId, m.messageId, meta, conv)) { ack(); return; }
    } else {
      stored.text = clampText(displayText(m));
    }
    let next = append(list, stored);
    for (const p of this.patchBuffers.get(nodeId)?.take(m.messageId) ?? []) next = applyPatchOrder(next, p)?.[0] ?? next;
    conversations.setConv(conv, next);
    void db.saveMessage(next.find((x) => x.messageId === m.messageId) ?? stored);
    conversations.touchConv(conv, stored.timestamp);
    if (stored.unread) conversations.persistUnreads();
    ack();
  }

  onPatch(nodeId: string, p: PatchOrder): void {
    const state = this.store.get();
    const conv = state.peers[nodeId]?.conv;
    if (!conv) return;
    const r = applyPatchOrder(state.conversations[conv] ?? [], p);
    if (r === null) {
      let buf = this.patchBuffers.get(nodeId);
      if (!buf) this.patchBuffers.set(nodeId, (buf = new PatchBuffer()));
      buf.add(p);
      return;
    }
    const [next, changed] = r;
    if (changed) {
      this.host.conversations.setConv(conv, next);
      void db.saveMessage(changed);
    }
  }

  /** A bot's audio track (§8.1): the player's stream, and a local-only entry in the chat. */
  onAudio(nodeId: string, stream: MediaStream): void {
    const conv = this.store.get().peers[nodeId]?.conv;
    this.store.set((s) => ({ audio: { ...s.audio, [nodeId]: stream } }));
    if (!conv) return;
    const list = this.store.get().conversations[conv] ?? [];
    if (list.some((m) => m.audio && m.messageId === `audio:${stream.id}`)) return;
    this.host.conversations.setConv(conv, append(list, { messageId: `audio:${stream.id}`, conv, author: 'peer', timestamp: Date.now(), audio: true }));
  }

  /**
   * The user decided about the peer's changed certificate: held messages are sent now; one whose
   * ACK timeout ran out while it was held gets a fresh one.
   */
  release(nodeId: string): void {
    if (this.host.verification.holds(nodeId)) return;
    const held = this.held.get(nodeId);
    this.held.delete(nodeId);
    const s = this.host.mesh.get(nodeId);
    for (const [id, { conv, ackExpired }] of held ?? []) {
      this.host.conversations.setDelivery(conv, id, 'sending');
      if (ackExpired && s) void s.waitForAck(id, ACK_TIMEOUT_MS).then((ok) => this.host.conversations.setDelivery(conv, id, ok ? 'delivered' : 'failed'));
    }
    if (s?.chatOpen) this.flushUnsent(nodeId);
  }

  /** The peer left: its queue, early patches and audio go. */
  dropPeer(nodeId: string): void {
    this.patchBuffers.delete(nodeId);
    this.unsent.delete(nodeId);
    this.held.delete(nodeId);
    this.store.set((s) => {
      const audio = { ...s.audio };
      delete audio[nodeId];
      return { audio };
    });
  }

  /** Every peer connection ended (a new registration, a disconnect): nothing queued survives. */
  dropAll(): void {
    this.unsent.clear();
    this.held.clear();
  }

  /** Queued own messages are shown as held, and their ACK timeouts no longer count. */
  private markHeld(nodeId: string): void {
    const conv = this.store.get().peers[nodeId]?.conv;
    if (!conv) return;
    const held = this.held.get(nodeId) ?? new Map<string, { conv: string; ackExpired: boolean }>();
    for (const m of this.unsent.get(nodeId) ?? []) {
      if (chatKind(m) !== 'text' || held.has(m.messageId)) continue;
      held.set(m.messageId, { conv, ackExpired: false });
      this.host.conversations.setDelivery(conv, m.messageId, 'held');
    }
    this.held.set(nodeId, held);
  }

  /** True (and noted) when a message's ACK timeout ran out while it was held, not sent. */
  private expiredWhileHeld(nodeId: string, messageId: string): boolean {
    const h = this.held.get(nodeId)?.get(messageId);
    if (h) h.ackExpired = true;
    return h !== undefined;
  }

  /**
   * The session matched ACKs that came in time; one that comes after its timeout (a slow first
   * connection, a queued message sent late) still proves delivery: failed becomes delivered.
   */
  private lateAck(nodeId: string, messageId: string): void {
    const [conv, msg] = this.ownMessage(nodeId, messageId);
    if (conv && msg?.author === 'me' && !msg.file && msg.delivery === 'failed') this.host.conversations.setDelivery(conv, messageId, 'delivered');
  }

  private ownMessage(nodeId: string, messageId: string): [string | undefined, StoredMessage | undefined] {
    const state = this.store.get();
    const conv = state.peers[nodeId]?.conv;
    return [conv, conv ? state.conversations[conv]?.find((x) => x.messageId === messageId) : undefined];
  }

  private route(nodeId: string) {
    return { from: this.store.get().ownId!, to: nodeId };
  }

  private transmit(nodeId: string, m: ChatMessage): void {
    const s = this.host.mesh.ensure(nodeId);
    const holds = this.host.verification.holds(nodeId);
    if (!holds && s.chatOpen && s.sendChat(m)) return;
    const q = this.unsent.get(nodeId) ?? [];
    if (q.length < MAX_UNSENT) q.push(m);
    this.unsent.set(nodeId, q);
    if (holds) this.markHeld(nodeId);
    else if (!s.chatOpen) s.initiate();
  }

  /** Sends (or resends, under the same id) and tracks the ACK: delivered, or failed after 10 s. */
  private deliver(nodeId: string, conv: string, m: ChatMessage): void {
    const s = this.host.mesh.ensure(nodeId);
    const acked = s.waitForAck(m.messageId, ACK_TIMEOUT_MS);
    this.transmit(nodeId, m);
    void acked.then((ok) => {
      if (!ok && this.expiredWhileHeld(nodeId, m.messageId)) return; // release() waits for it afresh
      this.host.conversations.setDelivery(conv, m.messageId, ok ? 'delivered' : 'failed');
    });
  }
}

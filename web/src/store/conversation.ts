// Pure updates of one conversation's message list. Authorship rules of §7.4/§7.7 live here, so
// they are unit-tested without WebRTC.
import { amendReplacement, displayText, type ChatMessage } from '../protocol/chatMessage';
import { applyPatch, type PatchOrder } from '../protocol/msgpatch';
import type { StoredMessage } from './records';

/** Messages kept in memory per conversation; older ones stay in IndexedDB only. */
export const MAX_IN_MEMORY = 500;
const MAX_TEXT = 64 * 1024;

export const clampText = (s: string): string => (s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s);

export function append(list: StoredMessage[], m: StoredMessage): StoredMessage[] {
  if (list.some((x) => x.messageId === m.messageId)) return list;
  const next = [...list, m];
  // Keep time order even when a peer's clock is off: insert by timestamp only among the tail.
  next.sort((a, b) => a.timestamp - b.timestamp);
  return next.length > MAX_IN_MEMORY ? next.slice(next.length - MAX_IN_MEMORY) : next;
}

export function update(list: StoredMessage[], id: string, f: (m: StoredMessage) => StoredMessage): [StoredMessage[], StoredMessage | null] {
  const i = list.findIndex((x) => x.messageId === id);
  if (i < 0) return [list, null];
  const next = list.slice();
  next[i] = f(list[i]);
  return [next, next[i]];
}

/** Incoming amend: applied only to a message the peer itself authored (§7.4). */
export function applyAmend(list: StoredMessage[], m: ChatMessage): [StoredMessage[], StoredMessage | null] {
  const target = list.find((x) => x.messageId === m.amend!.messageId);
  if (!target || target.author !== 'peer' || target.file || target.audio) return [list, null];
  const repl = amendReplacement(m.amend!.newMessageJSON);
  if (!repl) return [list, null];
  return update(list, target.messageId, (x) => ({ ...x, text: clampText(displayText(repl)), edited: true }));
}

/** Incoming delete: removes only a message the peer itself authored. */
export function applyDelete(list: StoredMessage[], m: ChatMessage): [StoredMessage[], string | null] {
  const target = list.find((x) => x.messageId === m.delete!.messageId);
  if (!target || target.author !== 'peer') return [list, null];
  return [list.filter((x) => x !== target), target.messageId];
}

/** Folds a patch into a peer-authored message; null when the target is unknown (buffer it). */
export function applyPatchOrder(list: StoredMessage[], p: PatchOrder): [StoredMessage[], StoredMessage | null] | null {
  const target = list.find((x) => x.messageId === p.messageId);
  if (!target) return null;
  if (target.author !== 'peer' || target.file || target.audio) return [list, null];
  return update(list, target.messageId, (x) => ({ ...x, text: clampText(applyPatch(x.text, p)) }));
}

/** Pending patches for ids not seen yet: at most 64 per peer, for at most 10 s (§7.7). */
export class PatchBuffer {
  private items: { at: number; order: PatchOrder }[] = [];
  constructor(private readonly max = 64, private readonly ttlMs = 10_000) {}

  add(order: PatchOrder, now = Date.now()): void {
    this.expire(now);
    // Fold consecutive patches for the same id to keep the buffer small.
    const last = this.items.findLast((x) => x.order.messageId === order.messageId);
    if (last) {
      last.order = { kind: last.order.kind, messageId: order.messageId, value: order.kind === 'replace' ? order.value : last.order.value + order.value };
      if (order.kind === 'replace') last.order.kind = 'replace';
      last.at = now;
      return;
    }
    if (this.items.length >= this.max) this.items.shift();
    this.items.push({ at: now, order });
  }

  take(messageId: string, now = Date.now()): PatchOrder[] {
    this.expire(now);
    const hit = this.items.filter((x) => x.order.messageId === messageId).map((x) => x.order);
    this.items = this.items.filter((x) => x.order.messageId !== messageId);
    return hit;
  }

  get size(): number { return this.items.length; }

  private expire(now: number): void {
    this.items = this.items.filter((x) => now - x.at <= this.ttlMs);
  }
}

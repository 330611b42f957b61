// The messaging slice with a fake session: an own message queued behind a slow first connection
// shows "not delivered" when its ACK timeout runs out, and "delivered" once the ACK does come.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildAck, type ChatMessage } from '../protocol/chatMessage';
import type { PeerSession } from '../rtc/PeerSession';
import { Messaging } from './Messaging';
import type { Patch, StoreAccess } from './Store';
import * as db from './db';
import type { Delivery, StoredMessage } from './records';
import type { AppState } from './types';

class FakeSession {
  chatOpen = false;
  sent: ChatMessage[] = [];
  private waiters = new Map<string, () => void>();
  initiate() { /* the connection comes up when the test says so */ }
  sendChat(m: ChatMessage) { if (!this.chatOpen) return false; this.sent.push(m); return true; }
  waitForAck(id: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.waiters.delete(id); resolve(false); }, timeoutMs);
      this.waiters.set(id, () => { clearTimeout(t); resolve(true); });
    });
  }
  /** what PeerSession does with an ACK: resolve a waiter still waiting */
  ack(id: string) { const w = this.waiters.get(id); this.waiters.delete(id); w?.(); }
}

function setup() {
  let state = {
    servers: [], status: 'registered', ownId: 'me', preference: {}, conversations: { c1: [] }, transfers: {},
    peers: { bob: { conv: 'c1' } }, diagnostics: {}, verification: {}, audio: {}, pastConvs: [],
    account: { status: 'anonymous' }, themeMode: 'system',
  } as unknown as AppState;
  const store: StoreAccess<AppState> = {
    get: () => state,
    set: (p: Patch<AppState>) => { state = { ...state, ...(typeof p === 'function' ? p(state) : p) }; },
  };
  const session = new FakeSession();
  const setConv = (conv: string, list: StoredMessage[]) => { state = { ...state, conversations: { ...state.conversations, [conv]: list } }; };
  const messaging = new Messaging(store, {
    mesh: { ensure: () => session as unknown as PeerSession, get: () => session as unknown as PeerSession },
    conversations: {
      setConv,
      touchConv: () => {},
      setDelivery: (conv: string, id: string, delivery: Delivery) => setConv(conv, state.conversations[conv].map((m) => (m.messageId === id ? { ...m, delivery } : m))),
      persistUnreads: () => {},
    },
    verification: { holds: () => false },
    files: { onFileMeta: () => true, cancel: () => {} },
  });
  return { messaging, session, delivery: () => state.conversations.c1[0]?.delivery };
}

afterEach(async () => {
  vi.useRealTimers();
  await db.closeDb();
  await new Promise<void>((resolve) => { const r = indexedDB.deleteDatabase(db.DB_NAME); r.onsuccess = r.onerror = () => resolve(); });
});

describe('Messaging', () => {
  it('an ACK that comes after the timeout turns "not delivered" into delivered', async () => {
    vi.useFakeTimers();
    const t = setup();
    t.messaging.sendText('bob', 'hello');
    expect(t.delivery()).toBe('sending');
    await vi.advanceTimersByTimeAsync(10_001);
    expect(t.delivery()).toBe('failed');
    t.session.chatOpen = true;
    t.messaging.flushUnsent('bob');
    expect(t.session.sent.map((m) => m.message)).toEqual(['hello']);
    const ack = buildAck({ from: 'bob', to: 'me' }, t.session.sent[0].messageId);
    t.session.ack(ack.ack!.messageId);
    t.messaging.onChat('bob', ack);
    expect(t.delivery()).toBe('delivered');
  });

  it('an ACK for a message that is not ours, or not failed, changes nothing', async () => {
    vi.useFakeTimers();
    const t = setup();
    t.messaging.sendText('bob', 'hello');
    t.messaging.onChat('bob', buildAck({ from: 'bob', to: 'me' }, 'someone-elses-id'));
    expect(t.delivery()).toBe('sending');
    await vi.advanceTimersByTimeAsync(10_001);
    t.messaging.onChat('bob', buildAck({ from: 'bob', to: 'me' }, 'someone-elses-id'));
    expect(t.delivery()).toBe('failed');
  });
});

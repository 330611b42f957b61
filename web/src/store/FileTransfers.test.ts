// The files slice with a fake channel and fake-indexeddb: a received file is kept under its
// message's conversation, found through the slice's own messageId index (never by looking
// through the conversations), and following the conversation to its lasting key.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FileMeta } from '../protocol/chatMessage';
import { FileTransfers } from './FileTransfers';
import type { Patch, StoreAccess } from './Store';
import * as db from './db';
import type { StoredMessage } from './records';
import type { AppState } from './types';

/** A stand-in for an incoming, already open `file` channel. */
class FakeChannel {
  id = 1;
  readyState: RTCDataChannelState = 'open';
  binaryType = 'blob';
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onopen: (() => void) | null = null;
  send() { /* feedback words */ }
  close() { if (this.readyState !== 'closed') { this.readyState = 'closed'; this.onclose?.(); } }
  deliver(data: ArrayBuffer) { this.onmessage?.({ data }); }
}

const meta = (size: number): FileMeta => ({ category: 'file', name: 'f.bin', type: '', size, dcId: '1' });

function setup() {
  let state = {
    servers: [], status: 'registered', ownId: 'me', preference: {}, peers: {}, conversations: {}, transfers: {},
    diagnostics: {}, verification: {}, audio: {}, pastConvs: [], account: { status: 'anonymous' }, themeMode: 'system',
  } as AppState;
  const store: StoreAccess<AppState> = {
    get: () => state,
    set: (p: Patch<AppState>) => { state = { ...state, ...(typeof p === 'function' ? p(state) : p) }; },
  };
  const aliases = new Map<string, string>();
  const files = new FileTransfers(store, {
    session: () => { throw new Error('not used: nothing is sent'); },
    conversations: { addMessage: vi.fn(), patchMessage: vi.fn(), setDelivery: vi.fn(), canon: (c) => aliases.get(c) ?? c },
  });
  /** The peer's metadata for `conv`, then the channel and its bytes. */
  const receive = (messageId: string, conv: string, data: number[]) => {
    expect(files.onFileMeta('alice', messageId, meta(data.length), conv)).toBe(true);
    const ch = new FakeChannel();
    files.onFileChannel('alice', ch as unknown as RTCDataChannel);
    return () => ch.deliver(new Uint8Array(data).buffer);
  };
  return { files, aliases, receive, transfer: (id: string) => state.transfers[id] };
}

afterEach(async () => {
  await db.closeDb();
  await new Promise<void>((resolve) => { const r = indexedDB.deleteDatabase(db.DB_NAME); r.onsuccess = r.onerror = () => resolve(); });
});

describe('FileTransfers', () => {
  it('keeps a received file under its message\'s conversation, with no conversation in memory to search', async () => {
    const t = setup();
    t.receive('m1', 'u:alice', [1, 2, 3])();
    await vi.waitFor(() => expect(t.transfer('m1')?.kept).toBe('kept'));
    expect(t.transfer('m1')?.state).toBe('done');
    const f = await db.loadFile('m1');
    expect(f?.conv).toBe('u:alice');
    expect(f?.size).toBe(3);
  });

  it('keeps it under the lasting key when the peer was identified during the transfer', async () => {
    const t = setup();
    const send = t.receive('m2', 'p:alice-node', [4, 5]);
    t.aliases.set('p:alice-node', 'k:AB:CD');
    send();
    await vi.waitFor(() => expect(t.transfer('m2')?.kept).toBe('kept'));
    expect((await db.loadFile('m2'))?.conv).toBe('k:AB:CD');
  });

  it('never writes the file of a peer that is not identified', async () => {
    const t = setup();
    t.receive('m3', 'p:bob-node', [6])();
    await vi.waitFor(() => expect(t.transfer('m3')?.state).toBe('done'));
    await new Promise((r) => setTimeout(r, 20));
    expect(t.transfer('m3')?.kept).toBeUndefined();
    expect(await db.loadFile('m3')).toBeNull();
  });

  it('gives kept files their download back after a reload', async () => {
    await db.keepFile({ messageId: 'm4', conv: 'u:alice', blob: new Blob([new Uint8Array([7, 8])]), size: 2, savedAt: 1 }, 1024);
    const t = setup();
    const m: StoredMessage = { messageId: 'm4', conv: 'u:alice', author: 'peer', timestamp: 1, file: meta(2) };
    await t.files.restoreFiles([m, { ...m, messageId: 'gone' }]);
    expect(t.transfer('m4')).toMatchObject({ direction: 'receive', state: 'done', kept: 'kept' });
    expect(t.transfer('m4')?.url).toMatch(/^blob:/);
    expect(t.transfer('gone')).toBeUndefined();
  });
});

// IndexedDB persistence with fake-indexeddb: the version 1 → 2 upgrade keeps every message
// readable and records its conversations; received files are capped with oldest-first eviction.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as db from './db';
import type { StoredMessage } from './records';

const msg = (id: string, conv: string, timestamp: number, extra: Partial<StoredMessage> = {}): StoredMessage => ({ messageId: id, conv, author: 'peer', timestamp, text: id, ...extra });

function createV1(messages: StoredMessage[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(db.DB_NAME, 1);
    req.onupgradeneeded = () => {
      const s = req.result.createObjectStore('messages', { keyPath: 'messageId' });
      s.createIndex('byConv', ['conv', 'timestamp']);
      for (const m of messages) s.put(m);
    };
    req.onsuccess = () => { req.result.close(); resolve(); };
    req.onerror = () => reject(req.error);
  });
}

async function wipe(): Promise<void> {
  await db.closeDb();
  await new Promise<void>((resolve) => { const r = indexedDB.deleteDatabase(db.DB_NAME); r.onsuccess = r.onerror = () => resolve(); });
}

afterEach(wipe);

describe('IndexedDB history', () => {
  it('upgrades a version 1 database: messages stay, conversations are recorded, name keys marked legacy', async () => {
    await createV1([msg('a1', 'n:alice', 10), msg('a2', 'n:alice', 30), msg('b1', 'u:bob', 20, { author: 'me' })]);
    expect((await db.loadRecent('n:alice', 10)).map((m) => m.messageId)).toEqual(['a1', 'a2']);
    const convs = await db.listConvs();
    expect(convs).toEqual([
      { conv: 'n:alice', name: 'alice', lastActivity: 30, legacy: true },
      { conv: 'u:bob', name: 'bob', username: 'bob', lastActivity: 20 },
    ]);
  });

  it('never writes provisional (unidentified) conversations, and moves them once identified', async () => {
    await db.saveMessage(msg('p1', 'p:node-1', 5));
    await db.saveConv({ conv: 'p:node-1', name: 'x', lastActivity: 5 });
    expect(await db.loadRecent('p:node-1', 10)).toEqual([]);
    expect(await db.listConvs()).toEqual([]);
    await db.moveConv('p:node-1', 'k:abcd', [msg('p1', 'p:node-1', 5)]);
    expect((await db.loadRecent('k:abcd', 10)).map((m) => [m.messageId, m.conv])).toEqual([['p1', 'k:abcd']]);
  });

  it('keeps the newest activity and deletes a whole conversation with its files', async () => {
    await db.saveConv({ conv: 'k:1', name: 'dora', lastActivity: 50 });
    await db.saveConv({ conv: 'k:1', name: 'dora2', lastActivity: 40 });
    expect(await db.listConvs()).toEqual([{ conv: 'k:1', name: 'dora2', lastActivity: 50 }]);
    await db.saveMessages([msg('m1', 'k:1', 1), msg('m2', 'k:1', 2), msg('o1', 'k:2', 3)]);
    await db.keepFile({ messageId: 'm2', conv: 'k:1', blob: new Blob(['xyz']), size: 3, savedAt: 1 }, 100);
    await db.deleteConv('k:1');
    expect(await db.loadRecent('k:1', 10)).toEqual([]);
    expect(await db.loadFile('m2')).toBeNull();
    expect((await db.loadRecent('k:2', 10)).length).toBe(1);
    expect(await db.listConvs()).toEqual([]);
  });
});

describe('received files', () => {
  const file = (id: string, size: number, savedAt: number) => ({ messageId: id, conv: 'k:1', blob: new Blob([new Uint8Array(size)]), size, savedAt });
  it('keeps files up to the cap, evicting the oldest first', async () => {
    expect(await db.keepFile(file('f1', 40, 1), 100)).toBe('kept');
    expect(await db.keepFile(file('f2', 40, 2), 100)).toBe('kept');
    expect(await db.keptBytes()).toBe(80);
    expect(await db.keepFile(file('f3', 50, 3), 100)).toBe('kept'); // f1 goes
    expect(await db.loadFile('f1')).toBeNull();
    expect((await db.loadFile('f2'))?.size).toBe(40);
    expect((await db.loadFile('f3'))?.size).toBe(50);
    expect(await db.keptBytes()).toBe(90);
  });
  it('does not keep a file larger than the cap', async () => {
    expect(await db.keepFile(file('big', 101, 1), 100)).toBe('too-large');
    expect(await db.loadFile('big')).toBeNull();
  });
  it('deleting a message deletes its file', async () => {
    await db.saveMessage(msg('f9', 'k:1', 1, { file: { category: 'file', name: 'a', type: '', size: 3, dcId: '1' } }));
    await db.keepFile(file('f9', 3, 1), 100);
    await db.deleteMessage('f9');
    expect(await db.loadFile('f9')).toBeNull();
  });
});

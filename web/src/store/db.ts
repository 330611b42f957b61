// Message history in IndexedDB (PROTOCOL.md §10.2 allows it): one object store keyed by
// messageId, indexed by conversation and time. Failures only cost persistence, never the chat.
import type { StoredMessage } from './types';

const DB_NAME = 'parley';
const STORE = 'messages';
let dbPromise: Promise<IDBDatabase | null> | null = null;

function open(): Promise<IDBDatabase | null> {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(null);
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const s = req.result.createObjectStore(STORE, { keyPath: 'messageId' });
      s.createIndex('byConv', ['conv', 'timestamp']);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
  });
  return dbPromise;
}

export async function saveMessage(m: StoredMessage): Promise<void> {
  if (m.audio) return; // audio entries are local-only
  const db = await open();
  if (!db) return;
  await new Promise<void>((resolve) => {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(m);
    tx.oncomplete = tx.onerror = tx.onabort = () => resolve();
  });
}

export async function deleteMessage(messageId: string): Promise<void> {
  const db = await open();
  if (!db) return;
  await new Promise<void>((resolve) => {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(messageId);
    tx.oncomplete = tx.onerror = tx.onabort = () => resolve();
  });
}

/** The newest `limit` messages of a conversation, oldest first. */
export async function loadRecent(conv: string, limit: number): Promise<StoredMessage[]> {
  const db = await open();
  if (!db) return [];
  return new Promise((resolve) => {
    const out: StoredMessage[] = [];
    const tx = db.transaction(STORE, 'readonly');
    const range = IDBKeyRange.bound([conv, -Infinity], [conv, Infinity]);
    const req = tx.objectStore(STORE).index('byConv').openCursor(range, 'prev');
    req.onsuccess = () => {
      const c = req.result;
      if (c && out.length < limit) {
        out.push(c.value as StoredMessage);
        c.continue();
      } else resolve(out.reverse());
    };
    req.onerror = () => resolve([]);
  });
}

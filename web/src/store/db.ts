// Local persistence in IndexedDB (PROTOCOL.md §10.2 allows it). Failures only cost persistence,
// never the chat. Object stores (version 3):
//   messages  keyed by messageId, index byConv [conv, timestamp]       message history
//   convs     keyed by conv: who a conversation is with, last activity  "Earlier conversations"
//   files     keyed by messageId: received file contents (Blob), index bySavedAt, size-capped
//   identity  out-of-line keys: this browser's DTLS certificate ("dtls")
//   verified  keyed by contact: contacts marked verified by safety number (version 3)
// Version 1 had `messages` only, keyed by the peer's username or *name*. The upgrade keeps every
// message where it is and records each old conversation in `convs`, the name-keyed ones marked
// `legacy` (they may mix several people who used one name), so they stay readable in the UI.
import type { ConvInfo, KeepResult, StoredFile, StoredMessage, VerifiedContact } from './records';

export const DB_NAME = 'parley';
export const DB_VERSION = 3;
const MESSAGES = 'messages';
const CONVS = 'convs';
const FILES = 'files';
const IDENTITY = 'identity';
const VERIFIED = 'verified';

let dbPromise: Promise<IDBDatabase | null> | null = null;

/** Conversations that are never written to disk: a peer not identified yet (see peerDirectory). */
export const isPersistentConv = (conv: string): boolean => !conv.startsWith('p:');

function upgrade(db: IDBDatabase, tx: IDBTransaction, oldVersion: number): void {
  if (oldVersion < 1) {
    const s = db.createObjectStore(MESSAGES, { keyPath: 'messageId' });
    s.createIndex('byConv', ['conv', 'timestamp']);
  }
  if (oldVersion < 2) {
    const convs = db.createObjectStore(CONVS, { keyPath: 'conv' });
    const files = db.createObjectStore(FILES, { keyPath: 'messageId' });
    files.createIndex('bySavedAt', 'savedAt');
    db.createObjectStore(IDENTITY);
    if (oldVersion === 1) {
      // Record every existing conversation, so that none becomes unreachable.
      const seen = new Map<string, ConvInfo>();
      const req = tx.objectStore(MESSAGES).openCursor();
      req.onsuccess = () => {
        const c = req.result;
        if (c) {
          const m = c.value as StoredMessage;
          const info = seen.get(m.conv) ?? legacyConvInfo(m.conv);
          info.lastActivity = Math.max(info.lastActivity, m.timestamp || 0);
          seen.set(m.conv, info);
          c.continue();
        } else {
          for (const info of seen.values()) convs.put(info);
        }
      };
    }
  }
  if (oldVersion < 3) db.createObjectStore(VERIFIED, { keyPath: 'contact' });
}

/** What a version-1 key says about its peer: `u:<username>` or `n:<name>`. */
export function legacyConvInfo(conv: string): ConvInfo {
  if (conv.startsWith('u:')) return { conv, name: conv.slice(2), username: conv.slice(2), lastActivity: 0 };
  if (conv.startsWith('n:')) return { conv, name: conv.slice(2), lastActivity: 0, legacy: true };
  return { conv, name: conv, lastActivity: 0, legacy: true };
}

function open(): Promise<IDBDatabase | null> {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(null);
    let req: IDBOpenDBRequest;
    try { req = indexedDB.open(DB_NAME, DB_VERSION); } catch { return resolve(null); }
    req.onupgradeneeded = (ev) => upgrade(req.result, req.transaction!, ev.oldVersion);
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => { db.close(); dbPromise = null; };
      resolve(db);
    };
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
  return dbPromise;
}

/** For the tests: forget the open connection. */
export async function closeDb(): Promise<void> {
  const db = await dbPromise;
  db?.close();
  dbPromise = null;
}

function run<T>(stores: string | string[], mode: IDBTransactionMode, body: (tx: IDBTransaction, done: (v: T) => void) => void, fallback: T): Promise<T> {
  return open().then((db) => new Promise<T>((resolve) => {
    if (!db) return resolve(fallback);
    let result = fallback;
    let tx: IDBTransaction;
    try { tx = db.transaction(stores, mode); } catch { return resolve(fallback); }
    tx.oncomplete = () => resolve(result);
    tx.onerror = tx.onabort = () => resolve(fallback);
    try { body(tx, (v) => { result = v; }); } catch { try { tx.abort(); } catch { /* finished */ } }
  }));
}

// ---- messages ------------------------------------------------------------------------------------

export function saveMessage(m: StoredMessage): Promise<void> {
  if (m.audio || !isPersistentConv(m.conv)) return Promise.resolve(); // audio entries are local-only
  return run(MESSAGES, 'readwrite', (tx) => { tx.objectStore(MESSAGES).put(m); }, undefined);
}

export function saveMessages(ms: StoredMessage[]): Promise<void> {
  const keep = ms.filter((m) => !m.audio && isPersistentConv(m.conv));
  if (!keep.length) return Promise.resolve();
  return run(MESSAGES, 'readwrite', (tx) => { for (const m of keep) tx.objectStore(MESSAGES).put(m); }, undefined);
}

export function deleteMessage(messageId: string): Promise<void> {
  return run([MESSAGES, FILES], 'readwrite', (tx) => {
    tx.objectStore(MESSAGES).delete(messageId);
    tx.objectStore(FILES).delete(messageId);
  }, undefined);
}

/** The newest `limit` messages of a conversation, oldest first. */
export function loadRecent(conv: string, limit: number): Promise<StoredMessage[]> {
  return run<StoredMessage[]>(MESSAGES, 'readonly', (tx, done) => {
    const out: StoredMessage[] = [];
    const range = IDBKeyRange.bound([conv, -Infinity], [conv, Infinity]);
    const req = tx.objectStore(MESSAGES).index('byConv').openCursor(range, 'prev');
    req.onsuccess = () => {
      const c = req.result;
      if (c && out.length < limit) {
        out.push(c.value as StoredMessage);
        c.continue();
      } else done(out.reverse());
    };
  }, []);
}

// ---- conversations -----------------------------------------------------------------------------

/** Records who a conversation is with; keeps the newest activity time. */
export function saveConv(info: ConvInfo): Promise<void> {
  if (!isPersistentConv(info.conv)) return Promise.resolve();
  return run(CONVS, 'readwrite', (tx) => {
    const store = tx.objectStore(CONVS);
    const req = store.get(info.conv);
    req.onsuccess = () => {
      const old = req.result as ConvInfo | undefined;
      const next: ConvInfo = { ...old, ...info, lastActivity: Math.max(old?.lastActivity ?? 0, info.lastActivity) };
      if (!info.legacy) delete next.legacy;
      store.put(next);
    };
  }, undefined);
}

/** Every known conversation, most recent first. */
export function listConvs(limit = 500): Promise<ConvInfo[]> {
  return run<ConvInfo[]>(CONVS, 'readonly', (tx, done) => {
    const req = tx.objectStore(CONVS).getAll();
    req.onsuccess = () => done((req.result as ConvInfo[]).sort((a, b) => b.lastActivity - a.lastActivity).slice(0, limit));
  }, []);
}

/** Moves messages from one conversation key to another (a peer identified after the first messages). */
export function moveConv(from: string, to: string, messages: StoredMessage[]): Promise<void> {
  return saveMessages(messages.map((m) => (m.conv === from ? { ...m, conv: to } : m)));
}

/** Deletes a conversation: its messages, files and record. */
export function deleteConv(conv: string): Promise<void> {
  return run([MESSAGES, FILES, CONVS], 'readwrite', (tx) => {
    const range = IDBKeyRange.bound([conv, -Infinity], [conv, Infinity]);
    const req = tx.objectStore(MESSAGES).index('byConv').openCursor(range);
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return;
      tx.objectStore(FILES).delete((c.value as StoredMessage).messageId);
      c.delete();
      c.continue();
    };
    tx.objectStore(CONVS).delete(conv);
  }, undefined);
}

// ---- received files ----------------------------------------------------------------------------

/**
 * Keeps a received file so its download survives a reload. The store holds at most `capBytes`;
 * the oldest files are evicted first to make room, and a file larger than the cap is not kept.
 */
export function keepFile(f: StoredFile, capBytes: number): Promise<KeepResult> {
  if (f.size > capBytes) return Promise.resolve('too-large');
  return run<KeepResult>(FILES, 'readwrite', (tx, done) => {
    const store = tx.objectStore(FILES);
    const entries: { key: IDBValidKey; size: number }[] = [];
    let total = 0;
    const req = store.index('bySavedAt').openCursor();
    req.onsuccess = () => {
      const c = req.result;
      if (c) {
        const v = c.value as StoredFile;
        if (v.messageId !== f.messageId) { entries.push({ key: c.primaryKey, size: v.size }); total += v.size; }
        c.continue();
        return;
      }
      for (const e of entries) {
        if (total + f.size <= capBytes) break;
        store.delete(e.key);
        total -= e.size;
      }
      store.put(f);
      done('kept');
    };
  }, 'failed');
}

export function loadFile(messageId: string): Promise<StoredFile | null> {
  return run<StoredFile | null>(FILES, 'readonly', (tx, done) => {
    const req = tx.objectStore(FILES).get(messageId);
    req.onsuccess = () => done((req.result as StoredFile | undefined) ?? null);
  }, null);
}

/** Total bytes of kept files. */
export function keptBytes(): Promise<number> {
  return run<number>(FILES, 'readonly', (tx, done) => {
    let total = 0;
    const req = tx.objectStore(FILES).openCursor();
    req.onsuccess = () => {
      const c = req.result;
      if (c) { total += (c.value as StoredFile).size; c.continue(); } else done(total);
    };
  }, 0);
}

// ---- identity ----------------------------------------------------------------------------------

export function loadCertificate(): Promise<RTCCertificate | null> {
  return run<RTCCertificate | null>(IDENTITY, 'readonly', (tx, done) => {
    const req = tx.objectStore(IDENTITY).get('dtls');
    req.onsuccess = () => done((req.result as RTCCertificate | undefined) ?? null);
  }, null);
}

export function saveCertificate(cert: RTCCertificate): Promise<void> {
  return run(IDENTITY, 'readwrite', (tx) => { tx.objectStore(IDENTITY).put(cert, 'dtls'); }, undefined);
}

// ---- verified contacts -------------------------------------------------------------------------

export function loadVerifiedContacts(): Promise<VerifiedContact[]> {
  return run<VerifiedContact[]>(VERIFIED, 'readonly', (tx, done) => {
    const req = tx.objectStore(VERIFIED).getAll();
    req.onsuccess = () => done((req.result as VerifiedContact[]) ?? []);
  }, []);
}

export function saveVerifiedContact(v: VerifiedContact): Promise<void> {
  return run(VERIFIED, 'readwrite', (tx) => { tx.objectStore(VERIFIED).put(v); }, undefined);
}

export function deleteVerifiedContact(contact: string): Promise<void> {
  return run(VERIFIED, 'readwrite', (tx) => { tx.objectStore(VERIFIED).delete(contact); }, undefined);
}

// The shapes this client persists: messages, conversation records and kept files in IndexedDB
// (db.ts), the visitor's preference in localStorage (localPrefs.ts). Plain data that must stay
// readable by later versions, so they change only with a database upgrade.
import type { FileMeta } from '../protocol/chatMessage';

/** `held`: not sent, because the peer's safety number changed and the user has not decided yet */
export type Delivery = 'sending' | 'held' | 'delivered' | 'failed';

export interface StoredMessage {
  messageId: string;
  /** conversation key (peerDirectory.convKeyOf): username, certificate fingerprint or name */
  conv: string;
  author: 'me' | 'peer';
  timestamp: number;
  text?: string;
  edited?: boolean;
  delivery?: Delivery;
  unread?: boolean;
  file?: FileMeta;
  /** a local-only entry for a bot's audio track */
  audio?: boolean;
}

/** One conversation partner as last seen: what "Earlier conversations" shows. */
export interface ConvInfo {
  conv: string;
  name: string;
  colourIndex?: number;
  username?: string;
  lastActivity: number;
  /** keyed by the peer's name before version 2: possibly several people */
  legacy?: boolean;
}

/** A received file kept for after a reload (size-capped, oldest evicted first). */
export interface StoredFile { messageId: string; conv: string; blob: Blob; size: number; savedAt: number }

export type KeepResult = 'kept' | 'too-large' | 'failed';

/** The visitor's name and colour (localStorage `preference`, §10.2). */
export interface Preference { name?: string; indexOfPreferColor?: number }

/**
 * A contact the user marked verified after comparing safety numbers (store `verified`).
 * `contact` is `u:<username>` for an account, `v:<name in lower case>` for a visitor;
 * `fingerprints` are the peer's DTLS certificates it was verified with (one per device or browser).
 */
export interface VerifiedContact { contact: string; name: string; fingerprints: string[]; verifiedAt: number }

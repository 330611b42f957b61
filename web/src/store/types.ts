// Conversation state as the UI sees it. Everything here is plain data (no WebRTC objects except
// the audio MediaStream, which the player needs).
import type { FileMeta } from '../protocol/chatMessage';
import type { TransferProgress } from '../rtc/transferStats';
import type { PeerDiagnostics } from '../rtc/PeerSession';
import type { ServerEntry } from '../protocol/serversJson';
import type { SignallingStatus } from '../signalling/SignallingClient';

export type Delivery = 'sending' | 'delivered' | 'failed';

export interface StoredMessage {
  messageId: string;
  /** conversation key: the peer's username or name, so history survives reloads (node ids do not) */
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

export type TransferState = 'hashing' | 'waiting' | 'sending' | 'receiving' | 'verifying' | 'done' | 'failed' | 'cancelled';

export interface TransferView {
  messageId: string;
  direction: 'send' | 'receive';
  state: TransferState;
  error?: string;
  progress?: TransferProgress;
  /** when each state was entered (ms since the epoch), for progress reporting and the benchmark */
  stateTimes?: Partial<Record<TransferState, number>>;
  /** object URL of the complete file (received, or the sender's own copy) */
  url?: string;
}

export interface PeerView {
  nodeId: string;
  name: string;
  displayName: string;
  colourIndex: number;
  registeredAt: number;
  attributes: Record<string, string>;
  authentication: string;
  username?: string;
  isBot: boolean;
  conv: string;
}

export interface Preference { name?: string; indexOfPreferColor?: number }

export interface AppState {
  servers: ServerEntry[];
  serversError?: string;
  serverId?: string;
  status: SignallingStatus;
  retryInMs?: number;
  ownId?: string;
  ownName?: string;
  wsRttMs?: number;
  preference: Preference;
  peers: Record<string, PeerView>;
  conversations: Record<string, StoredMessage[]>;
  transfers: Record<string, TransferView>;
  diagnostics: Record<string, PeerDiagnostics>;
  audio: Record<string, MediaStream>;
  selected?: string;
  themeMode: 'light' | 'dark' | 'system';
}

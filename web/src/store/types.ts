// The state of the one Store as the UI sees it, each part owned by one slice (AppStore.ts). The
// few writes across parts: Presence follows `selected` to a returning peer and sets `ownName` on
// our own rename, Conversations.identify gives a peer its lasting `conv`, and a disconnect resets.
// Everything here is plain data (no WebRTC objects except the audio MediaStream, which the player
// needs); what is persisted is in records.ts. Imports are types only.
import type { TransferProgress } from '../rtc/transferStats';
import type { PeerDiagnostics } from '../rtc/PeerSession';
import type { ServerEntry } from '../protocol/serversJson';
import type { SignallingStatus } from '../signalling/SignallingClient';
import type { ConvInfo, KeepResult, Preference, StoredMessage } from './records';
import type { Profile } from '../protocol/profile';

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
  /** whether a received file was kept for after a reload (size cap, docs/WEB_CLIENT.md) */
  kept?: KeepResult;
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
  /** avatar URL (authenticated peers whose profile has one, §10.4); letter avatar otherwise */
  avatar?: string;
}

/**
 * Login state (§4.1). `finishing`: back from a login attempt, polling /profile/status (at most
 * 2 min). `signed-in`: the session cookie names a user; the WebSocket then registers under it.
 */
export interface AccountState {
  status: 'unknown' | 'anonymous' | 'finishing' | 'signed-in';
  profile?: Profile;
  /** own avatar URL when the profile has one */
  avatar?: string;
  error?: string;
}

export type VerificationStatus = 'unverified' | 'verified' | 'changed';

/** A connection's safety number and what it means for its peer (Verification.ts). */
export interface VerificationView {
  /** `u:<username>` or `v:<name>` (verifiedContacts.contactKeyOf) */
  contact: string;
  status: VerificationStatus;
  peerFingerprint: string;
  ownFingerprint?: string;
  /** the 60 digits, once both applied descriptions are known */
  digits?: string;
  /** the user chose to go on although the certificate changed (this connection only) */
  acknowledged: boolean;
}

export interface AppState {
  // Connection
  servers: ServerEntry[];
  serversError?: string;
  serverId?: string;
  status: SignallingStatus;
  retryInMs?: number;
  ownId?: string;
  ownName?: string;
  wsRttMs?: number;
  preference: Preference;
  // Presence
  peers: Record<string, PeerView>;
  diagnostics: Record<string, PeerDiagnostics>;
  // Conversations
  conversations: Record<string, StoredMessage[]>;
  selected?: string;
  /** an earlier conversation opened from the list (read-only; its peer is not online) */
  selectedConv?: string;
  /** every conversation kept on this device, most recent first */
  pastConvs: ConvInfo[];
  // Verification: each connection's safety number and whether its peer is verified, by node id
  verification: Record<string, VerificationView>;
  // Messaging (a bot's audio tracks)
  audio: Record<string, MediaStream>;
  // FileTransfers
  transfers: Record<string, TransferView>;
  // Account
  account: AccountState;
  // AppStore itself
  themeMode: 'light' | 'dark' | 'system';
}

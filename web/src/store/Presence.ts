// The presence slice: who is online (`peers`, from /conns, §3.3), refreshed on the signalling
// server's presence events and every 15 s; display names and avatars of authenticated peers
// (/profile?username=, §10.4); renames and departures; the open chat following its peer to a new
// node id; and the diagnostics of each peer's connection (`diagnostics`).
import { colourIndexForPeer } from '../protocol/palette';
import { parseConns, type ConnEntry } from '../protocol/conns';
import { apiUrl, avatarUrl, parseProfile, type Profile } from '../protocol/profile';
import { fingerprintKey } from '../protocol/sdpFingerprint';
import type { ServerEntry } from '../protocol/serversJson';
import type { RenamePayload } from '../protocol/envelope';
import type { PeerDiagnostics } from '../rtc/PeerSession';
import type { StoreAccess } from './Store';
import { buildPeers, followSelection, isProvisionalConv, profileLookupName } from './peerDirectory';
import * as prefs from './localPrefs';
import type { AppState, PeerView } from './types';

const CONNS_REFRESH_MS = 15_000;
const PROFILE_TTL_MS = 10 * 60_000;

/** The presence events of the signalling client. */
export interface PresenceSignalling {
  on(event: 'online' | 'firstPong', h: () => void): () => void;
  on(event: 'offline', h: (nodeId: string) => void): () => void;
  on(event: 'rename', h: (r: RenamePayload) => void): () => void;
}

/** What presence needs from the rest of the application. */
export interface PresenceHost {
  server(): ServerEntry | undefined;
  /** a peer is listed: its conversation's history is loaded */
  loadHistory(conv: string): Promise<void>;
  /** connect to a peer (the open chat followed it to a new node id) */
  connect(nodeId: string): void;
  /** a peer left: its connection closes and everything kept about it goes */
  dropPeer(nodeId: string): void;
}

export class Presence {
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private refreshPending: Promise<void> | null = null;
  /** the peer that left while its chat was open, to follow it when it returns */
  private departedPeer: PeerView | undefined;
  /** DTLS fingerprints of peers seen on a connection, by node id (identity of anonymous peers) */
  private fingerprints = new Map<string, string>();
  /** profiles of authenticated peers by lookup name (§10.4) */
  private profiles = new Map<string, { at: number; displayName?: string; avatar?: string }>();

  constructor(private readonly store: StoreAccess<AppState>, private readonly host: PresenceHost) {}

  /** Follows the presence events of a new signalling client, and refreshes every 15 s. */
  listen(sig: PresenceSignalling): void {
    sig.on('online', () => void this.refreshPeers());
    sig.on('firstPong', () => void this.refreshPeers());
    sig.on('offline', (id) => this.onPeerGone(id));
    sig.on('rename', (r) => {
      if (r.node_id && r.new_preference.name !== undefined) this.renamePeer(r.node_id, r.new_preference.name);
      void this.refreshPeers();
    });
    clearInterval(this.refreshTimer);
    this.refreshTimer = setInterval(() => void this.refreshPeers(), CONNS_REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.refreshTimer);
  }

  refreshPeers(): Promise<void> {
    if (this.refreshPending) return this.refreshPending;
    this.refreshPending = this.doRefresh().finally(() => { this.refreshPending = null; });
    return this.refreshPending;
  }

  /** The peer's connection showed its certificate (see Conversations.identify). */
  identified(nodeId: string, fingerprint: string): void {
    this.fingerprints.set(nodeId, fingerprint);
  }

  setDiagnostics(nodeId: string, d: PeerDiagnostics): void {
    this.store.set((st) => ({ diagnostics: { ...st.diagnostics, [nodeId]: d } }));
  }

  /** A session ended; one that failed or became unreachable is shown failed. */
  onSessionClosed(nodeId: string, reason: 'closed' | 'unreachable' | 'failed', last: PeerDiagnostics): void {
    if (reason !== 'closed') this.setDiagnostics(nodeId, { ...last, connectionState: 'failed' });
  }

  /** The peer's connection closed: its identity and diagnostics go. */
  dropPeer(nodeId: string): void {
    this.fingerprints.delete(nodeId);
    this.store.set((s) => {
      const diagnostics = { ...s.diagnostics };
      delete diagnostics[nodeId];
      return { diagnostics };
    });
  }

  dropAll(): void {
    this.fingerprints.clear();
  }

  private async doRefresh(): Promise<void> {
    const server = this.host.server();
    const state = this.store.get();
    if (!server || !state.ownId) return;
    let entries: ConnEntry[];
    try {
      const res = await fetch(`${server.apiPrefix}/conns`, { credentials: 'include', cache: 'no-store' });
      if (!res.ok) return;
      entries = parseConns(await res.json());
    } catch {
      return;
    }
    const before = this.store.get();
    const peers = buildPeers(entries, before.ownId!, before.peers, (n) => this.profiles.get(n));
    // A peer whose connection identified it before it showed up in /conns.
    for (const p of Object.values(peers)) {
      const fp = this.fingerprints.get(p.nodeId);
      if (fp && isProvisionalConv(p.conv)) p.conv = fingerprintKey(fp);
    }
    for (const c of entries) {
      const lookup = profileLookupName(c);
      const known = lookup ? this.profiles.get(lookup) : undefined;
      if (lookup && (!known || Date.now() - known.at > PROFILE_TTL_MS)) void this.lookupProfile(lookup);
    }
    for (const p of Object.values(peers)) void this.host.loadHistory(p.conv);
    // Peers that left without an `offline` (original server) are dropped too.
    for (const id of Object.keys(this.store.get().peers)) if (!peers[id]) this.host.dropPeer(id);
    // If the open chat's peer came back under a new node id (reload, reconnect), follow it, and
    // connect, so that a peer known only by its certificate is recognised at once.
    const now = this.store.get();
    const old = now.selected;
    const selected = followSelection(old, (old && now.peers[old]) || this.departedPeer, peers);
    if (selected !== old) this.departedPeer = undefined;
    this.store.set({ peers, selected });
    if (selected && selected !== old && peers[selected]) this.host.connect(selected);
    prefs.pruneScrollKeys(new Set(Object.keys(peers)));
  }

  /**
   * Display names and avatars come from /profile?username= (§10.4), only for authenticated peers;
   * the avatar endpoint is used only when the profile has an avatar, so no request is made that
   * must fail. Looked up again after 10 minutes (names and avatars change at each login).
   */
  private async lookupProfile(username: string): Promise<void> {
    const server = this.host.server();
    if (!server) return;
    this.profiles.set(username, { at: Date.now() });
    let profile: Profile | null = null;
    try {
      const res = await fetch(apiUrl(server.apiPrefix, `/profile?username=${encodeURIComponent(username)}`), { credentials: 'include', cache: 'no-store' });
      if (res.ok) profile = parseProfile(await res.json());
    } catch { /* keep the node name */ }
    if (!profile) return;
    const entry = { at: Date.now(), displayName: profile.displayName, avatar: profile.avatarURL ? avatarUrl(server.apiPrefix, username) : undefined };
    this.profiles.set(username, entry);
    this.store.set((s) => {
      const peers = { ...s.peers };
      for (const [id, v] of Object.entries(peers)) {
        if (profileLookupName({ username: v.username, nodeName: v.name, authentication: v.authentication }) === username) {
          peers[id] = { ...v, displayName: entry.displayName || v.name, avatar: entry.avatar };
        }
      }
      return { peers };
    });
  }

  private renamePeer(nodeId: string, name: string): void {
    const state = this.store.get();
    if (nodeId === state.ownId) { this.store.set({ ownName: name }); return; }
    const p = state.peers[nodeId];
    const lookup = p ? profileLookupName({ username: p.username, nodeName: p.name, authentication: p.authentication }) : undefined;
    const dn = (lookup && this.profiles.get(lookup)?.displayName) || name;
    if (p) this.store.set({ peers: { ...state.peers, [nodeId]: { ...p, name, displayName: dn, colourIndex: colourIndexForPeer(name, p.attributes.preferred_color) } } });
  }

  private onPeerGone(nodeId: string): void {
    this.host.dropPeer(nodeId);
    const state = this.store.get();
    const gone = state.peers[nodeId];
    if (!gone) return;
    const peers = { ...state.peers };
    delete peers[nodeId];
    if (state.selected === nodeId) this.departedPeer = gone;
    this.store.set({ peers });
  }
}

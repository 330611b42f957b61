// The application's state and actions. It owns the signalling client and one PeerSession per
// peer, turns their events into conversation state, and persists history. React components only
// read this state and call these actions.
import { Store } from './Store';
import { SignallingClient } from '../signalling/SignallingClient';
import { PeerMesh } from '../rtc/PeerMesh';
import type { PeerDiagnostics } from '../rtc/PeerSession';
import { IceServerSource } from '../rtc/iceCredentials';
import { sendWindow } from '../rtc/FileSender';
import { verifyPolicy } from '../rtc/hashBlob';
import { fingerprintKey } from '../protocol/sdpFingerprint';
import { FileTransfers, type FileSource } from './FileTransfers';
import { parseServers, resolveWsUrl, iceServersOf, type ServerEntry } from '../protocol/serversJson';
import { parseConns, type ConnEntry } from '../protocol/conns';
import { colourIndexForPeer } from '../protocol/palette';
import { buildAck, buildAmend, buildDelete, buildText, chatKind, displayText, type ChatMessage, type FileMeta } from '../protocol/chatMessage';
import { isSafeThumbnail } from '../protocol/fileCategory';
import type { Envelope } from '../protocol/envelope';
import type { PatchOrder } from '../protocol/msgpatch';
import { buildPeers, followSelection, isProvisionalConv, profileLookupName } from './peerDirectory';
import { ownCertificate } from './identity';
import { apiUrl, avatarUrl, loginHref, parseLoginStatus, parseProfile, type Profile } from '../protocol/profile';
import type { IdpEntry } from '../protocol/serversJson';
import { append, applyAmend, applyDelete, applyPatchOrder, clampText, PatchBuffer, update } from './conversation';
import * as db from './db';
import * as prefs from './localPrefs';
import type { AppState, PeerView } from './types';
import type { ConvInfo, StoredMessage } from './records';

const ACK_TIMEOUT_MS = 10_000;
const CONNS_REFRESH_MS = 15_000;
const HISTORY_LIMIT = 300;
const MAX_TEXT_LENGTH = 16_000;
const FILE_CACHE_BYTES = 512 * 1024 * 1024;
const PROFILE_TTL_MS = 10 * 60_000;
const LOGIN_POLL_MS = 3000;
const LOGIN_POLL_FOR_MS = 2 * 60_000;

export type { FileSource } from './FileTransfers';

export class AppStore extends Store<AppState> {
  private signalling: SignallingClient | null = null;
  private readonly mesh = new PeerMesh({
    ownId: () => this.state.ownId,
    attributesOf: (id) => this.state.peers[id]?.attributes,
    config: () => ({
      iceServers: this.server ? iceServersOf(this.server) : [],
      freshIceServers: this.iceSource ? ((source) => () => source.get())(this.iceSource) : undefined,
      certificates: this.certificate ? [this.certificate] : undefined,
    }),
  });
  private readonly files = new FileTransfers({
    setState: (f) => this.set(f),
    convOf: (id) => this.convOf(id),
    ownId: () => this.state.ownId,
    session: (id) => this.mesh.ensure(id),
    addMessage: (c, m) => { const conv = this.canon(c); this.setConv(conv, append(this.state.conversations[conv] ?? [], m)); this.touchConv(conv, m.timestamp); },
    patchMessage: (c, id, f) => {
      const conv = this.canon(c);
      const [next, changed] = update(this.state.conversations[conv] ?? [], id, f);
      this.setConv(conv, next);
      if (changed) void db.saveMessage(changed);
    },
    setDelivery: (conv, id, d) => this.setDelivery(conv, id, d),
    keepFile: (messageId, blob) => this.keepFile(messageId, blob),
  });
  private patchBuffers = new Map<string, PatchBuffer>();
  /** provisional conversation keys → the key their peer got once identified */
  private aliases = new Map<string, string>();
  private unsent = new Map<string, ChatMessage[]>(); // peer -> queued until chat opens
  private loadedConvs = new Set<string>();
  /** the peer that left while its chat was open, to follow it when it returns */
  private departedPeer: PeerView | undefined;
  /** DTLS fingerprints of peers seen on a connection, by node id (identity of anonymous peers) */
  private fingerprints = new Map<string, string>();
  private certificate: RTCCertificate | null = null;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private refreshPending: Promise<void> | null = null;
  /** bumped by every account check; a newer check (or a cancel) ends an older one's polling */
  private accountCheck = 0;
  /** profiles of authenticated peers by lookup name (§10.4) */
  private profiles = new Map<string, { at: number; displayName?: string; avatar?: string }>();
  /** TURN credentials from the server entry's iceServersEndpoint (§3.11, §10.1), per connection */
  iceSource: IceServerSource | null = null;
  /** the sender's back-pressure window, adjustable by the benchmark */
  readonly sendWindow = sendWindow;
  /** whether received files are hashed while they arrive or after, adjustable by the benchmark */
  readonly verifyPolicy = verifyPolicy;
  visible = typeof document === 'undefined' || document.visibilityState === 'visible';

  /** open sessions by node id (read by the end-to-end tests and the benchmark) */
  get sessions() { return this.mesh.sessions; }
  /** performance.now() when each peer's chat channel first opened (read by the benchmark) */
  get chatOpenTimes() { return this.mesh.chatOpenTimes; }

  constructor() {
    super({
      servers: [],
      status: 'closed',
      preference: prefs.loadPreference(),
      peers: {},
      conversations: {},
      transfers: {},
      diagnostics: {},
      audio: {},
      pastConvs: [],
      account: { status: 'unknown' },
      themeMode: prefs.themeMode(),
    });
    this.mesh.on('chat', (id, m) => this.onChat(id, m));
    this.mesh.on('chatOpen', (id) => this.flushUnsent(id));
    this.mesh.on('fileChannel', (id, dc) => this.files.onFileChannel(id, dc));
    this.mesh.on('patch', (id, p) => this.onPatch(id, p));
    this.mesh.on('diagnostics', (id, d) => this.setDiagnostics(id, d));
    this.mesh.on('identified', (id, fp) => this.identify(id, fp));
    this.mesh.on('track', (id, _t, stream) => this.onAudio(id, stream));
    this.mesh.on('closed', (id, reason, last) => { if (reason !== 'closed') this.setDiagnostics(id, { ...last, connectionState: 'failed' }); });
  }

  get server(): ServerEntry | undefined {
    return this.state.servers.find((s) => s.id === this.state.serverId);
  }

  // ---- connect ---------------------------------------------------------------------------------

  async init(): Promise<void> {
    this.certificate = await ownCertificate();
    void this.refreshPastConvs();
    try {
      const res = await fetch('/servers.json', { cache: 'no-store' });
      const servers = parseServers(await res.json());
      if (!servers.length) throw new Error('no usable server entries');
      const pinned = prefs.pinnedServer();
      const current = prefs.currentServer();
      const serverId = servers.find((s) => s.id === current)?.id ?? servers[0].id;
      this.set({ servers, serverId });
      await this.checkAccount();
      if (pinned && servers.some((s) => s.id === pinned)) this.connect(pinned, this.state.preference);
    } catch (e) {
      this.set({ serversError: `Could not load the server list: ${(e as Error).message}` });
    }
  }

  selectServer(id: string): void {
    this.set({ serverId: id });
    void this.checkAccount(false);
  }

  // ---- account (§4.1) ----------------------------------------------------------------------------

  /**
   * Whether the session cookie names a user: one `/profile/status` on load; after returning from
   * a login attempt, polled every 3 s for at most 2 min, then `/profile` once.
   */
  private async checkAccount(afterLogin = prefs.takeLoginStarted()): Promise<void> {
    const server = this.server;
    if (!server) return;
    const generation = ++this.accountCheck;
    const current = () => this.server === server && this.accountCheck === generation;
    const status = async () => {
      try {
        const res = await fetch(apiUrl(server.apiPrefix, '/profile/status'), { credentials: 'include', cache: 'no-store' });
        return res.ok && parseLoginStatus(await res.json());
      } catch { return false; }
    };
    let loggedIn = await status();
    if (!loggedIn && afterLogin) {
      this.set({ account: { status: 'finishing' } });
      const until = Date.now() + LOGIN_POLL_FOR_MS;
      while (!loggedIn && Date.now() < until && current()) {
        await new Promise((r) => setTimeout(r, LOGIN_POLL_MS));
        if (current()) loggedIn = await status();
      }
    }
    if (!current()) return;
    if (!loggedIn) {
      prefs.setLoggedIn(null);
      this.set({ account: { status: 'anonymous', error: afterLogin ? 'Sign-in did not complete. Please try again.' : undefined } });
      return;
    }
    let profile: Profile | null = null;
    try {
      const res = await fetch(apiUrl(server.apiPrefix, '/profile'), { credentials: 'include', cache: 'no-store' });
      if (res.ok) profile = parseProfile(await res.json());
    } catch { /* below */ }
    if (!current()) return;
    if (!profile) {
      this.set({ account: { status: 'anonymous', error: 'Could not load your profile.' } });
      return;
    }
    prefs.setLoggedIn(profile);
    this.set({ account: { status: 'signed-in', profile, avatar: profile.avatarURL ? avatarUrl(server.apiPrefix) : undefined } });
  }

  /** Stops waiting for a login the user abandoned at the provider. */
  cancelLogin(): void {
    if (this.state.account.status !== 'finishing') return;
    this.accountCheck++;
    this.set({ account: { status: 'anonymous' } });
  }

  /** Starts a login: the whole page goes to the provider's `loginUrl` (§4.1). */
  login(idp: IdpEntry): void {
    const href = loginHref(idp, window.location.origin);
    if (!href) return;
    prefs.markLoginStarted();
    window.location.assign(href);
  }

  /**
   * Logs out (§3.6): the session ends on the server. The WebSocket was authenticated when it was
   * opened (§2.2), so it is closed too; the connect screen comes back.
   */
  async logout(): Promise<void> {
    const server = this.server;
    if (server) {
      try { await fetch(apiUrl(server.apiPrefix, '/logout'), { method: 'POST', credentials: 'include' }); } catch { /* the cookie stays; shown below */ }
    }
    this.disconnect(true);
    prefs.setLoggedIn(null);
    await this.checkAccount(false);
  }

  connect(serverId: string, preference: { name?: string; indexOfPreferColor?: number }): void {
    const server = this.state.servers.find((s) => s.id === serverId);
    if (!server) return;
    this.disconnect(false);
    const pref = { ...preference, name: preference.name?.trim().slice(0, 64) || undefined };
    prefs.savePreference(pref);
    prefs.setCurrentServer(serverId);
    prefs.setPinnedServer(serverId);
    this.set({ serverId, preference: pref });
    const url = resolveWsUrl(server.url, window.location);
    const sig = new SignallingClient(url, () => this.registerFrame());
    this.signalling = sig;
    sig.on('status', (status, info) => this.set({ status, retryInMs: info.retryInMs }));
    sig.on('registered', (id, name) => this.onRegistered(id, name));
    sig.on('online', () => void this.refreshPeers());
    sig.on('firstPong', () => void this.refreshPeers());
    sig.on('offline', (id) => this.onPeerGone(id));
    sig.on('rename', (r) => {
      if (r.node_id && r.new_preference.name !== undefined) this.renamePeer(r.node_id, r.new_preference.name);
      void this.refreshPeers();
    });
    sig.on('rtt', (ms) => this.set({ wsRttMs: ms }));
    this.mesh.attach(sig);
    sig.start();
    this.iceSource = server.iceServersEndpoint ? new IceServerSource(server.iceServersEndpoint) : null;
    clearInterval(this.refreshTimer);
    this.refreshTimer = setInterval(() => void this.refreshPeers(), CONNS_REFRESH_MS);
  }

  /** Deliberate disconnect: closes every peer connection (§6.6); `forget` also unpins the server. */
  disconnect(forget = true): void {
    clearInterval(this.refreshTimer);
    this.signalling?.stop();
    this.signalling = null;
    this.closeAllSessions();
    if (forget) prefs.setPinnedServer(null);
    this.fingerprints.clear();
    this.set({ status: 'closed', ownId: undefined, peers: {}, selected: undefined, selectedConv: undefined, diagnostics: {}, audio: {} });
  }

  rename(pref: { name?: string; indexOfPreferColor?: number }): void {
    const next = { ...this.state.preference, ...pref };
    prefs.savePreference(next);
    this.set({ preference: next });
    const np: { name?: string; indexOfPreferColor?: number } = {};
    if (pref.name !== undefined) np.name = pref.name;
    if (pref.indexOfPreferColor !== undefined) np.indexOfPreferColor = pref.indexOfPreferColor;
    this.signalling?.send({ rename: { new_preference: np, origin_node_name: this.state.ownName ?? '' } });
  }

  setThemeMode(m: 'light' | 'dark' | 'system'): void {
    prefs.setThemeMode(m);
    this.set({ themeMode: m });
  }

  private registerFrame(): Envelope {
    const attributes: Record<string, string> = { support_attachment: 'true', negotiation: 'perfect' };
    const c = this.state.preference.indexOfPreferColor;
    if (c !== undefined) attributes.preferred_color = String(c);
    const signedIn = this.state.account.status === 'signed-in';
    return { register: { node_name: signedIn ? '' : this.state.preference.name ?? '' }, attributes_announcement: { attributes } };
  }

  private onRegistered(id: string, name: string): void {
    const previous = this.state.ownId;
    if (previous && previous !== id) this.closeAllSessions(); // a reconnect: old connections end cleanly
    this.set({ ownId: id, ownName: name });
    this.persistUnreads();
    void this.refreshPeers();
  }

  private closeAllSessions(): void {
    this.mesh.closeAll();
    this.files.dropAll();
    this.unsent.clear();
    this.fingerprints.clear();
  }

  // ---- peers -----------------------------------------------------------------------------------

  refreshPeers(): Promise<void> {
    if (this.refreshPending) return this.refreshPending;
    this.refreshPending = this.doRefresh().finally(() => { this.refreshPending = null; });
    return this.refreshPending;
  }

  private async doRefresh(): Promise<void> {
    const server = this.server;
    if (!server || !this.state.ownId) return;
    let entries: ConnEntry[];
    try {
      const res = await fetch(`${server.apiPrefix}/conns`, { credentials: 'include', cache: 'no-store' });
      if (!res.ok) return;
      entries = parseConns(await res.json());
    } catch {
      return;
    }
    const peers = buildPeers(entries, this.state.ownId, this.state.peers, (n) => this.profiles.get(n));
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
    for (const p of Object.values(peers)) void this.loadHistory(p.conv);
    // Peers that left without an `offline` (original server) are dropped too.
    for (const id of Object.keys(this.state.peers)) if (!peers[id]) this.closeSession(id);
    // If the open chat's peer came back under a new node id (reload, reconnect), follow it, and
    // connect, so that a peer known only by its certificate is recognised at once.
    const old = this.state.selected;
    const selected = followSelection(old, (old && this.state.peers[old]) || this.departedPeer, peers);
    if (selected !== old) this.departedPeer = undefined;
    this.set({ peers, selected });
    if (selected && selected !== old && peers[selected]) this.mesh.ensure(selected).initiate();
    prefs.pruneScrollKeys(new Set(Object.keys(peers)));
  }

  /**
   * Display names and avatars come from /profile?username= (§10.4), only for authenticated peers;
   * the avatar endpoint is used only when the profile has an avatar, so no request is made that
   * must fail. Looked up again after 10 minutes (names and avatars change at each login).
   */
  private async lookupProfile(username: string): Promise<void> {
    const server = this.server;
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
    this.set((s) => {
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
    if (nodeId === this.state.ownId) { this.set({ ownName: name }); return; }
    const p = this.state.peers[nodeId];
    const lookup = p ? profileLookupName({ username: p.username, nodeName: p.name, authentication: p.authentication }) : undefined;
    const dn = (lookup && this.profiles.get(lookup)?.displayName) || name;
    if (p) this.set({ peers: { ...this.state.peers, [nodeId]: { ...p, name, displayName: dn, colourIndex: colourIndexForPeer(name, p.attributes.preferred_color) } } });
  }

  private onPeerGone(nodeId: string): void {
    this.closeSession(nodeId);
    const gone = this.state.peers[nodeId];
    if (!gone) return;
    const peers = { ...this.state.peers };
    delete peers[nodeId];
    if (this.state.selected === nodeId) this.departedPeer = gone;
    this.set({ peers });
  }

  private closeSession(nodeId: string): void {
    this.mesh.close(nodeId);
    this.files.dropPeer(nodeId);
    this.patchBuffers.delete(nodeId);
    this.unsent.delete(nodeId);
    this.fingerprints.delete(nodeId);
    const diagnostics = { ...this.state.diagnostics };
    delete diagnostics[nodeId];
    const audio = { ...this.state.audio };
    delete audio[nodeId];
    this.set({ diagnostics, audio });
  }

  // ---- conversations -----------------------------------------------------------------------------

  /** Opens the chat with a peer, connecting to it if needed (we are the offerer, §6.1). */
  openChat(nodeId: string): void {
    this.set({ selected: nodeId, selectedConv: undefined });
    const peer = this.state.peers[nodeId];
    if (!peer) return;
    void this.loadHistory(peer.conv);
    this.mesh.ensure(nodeId).initiate();
  }

  closeChat(): void {
    this.set({ selected: undefined, selectedConv: undefined });
  }

  /** Opens an earlier conversation (its peer is not online): read-only. */
  openPastConv(conv: string): void {
    this.set({ selected: undefined, selectedConv: conv });
    void this.loadHistory(conv);
  }

  /** Deletes a conversation kept on this device, with its files. */
  async deleteConversation(conv: string): Promise<void> {
    await db.deleteConv(conv);
    this.loadedConvs.delete(conv);
    this.set((s) => {
      const conversations = { ...s.conversations };
      delete conversations[conv];
      return { conversations, selectedConv: s.selectedConv === conv ? undefined : s.selectedConv, pastConvs: s.pastConvs.filter((c) => c.conv !== conv) };
    });
  }

  private async refreshPastConvs(): Promise<void> {
    this.set({ pastConvs: await db.listConvs() });
  }

  /** Records the conversation's peer and activity, for "Earlier conversations". */
  private touchConv(c: string, timestamp: number): void {
    const conv = this.canon(c);
    if (!db.isPersistentConv(conv)) return;
    const peer = Object.values(this.state.peers).find((p) => p.conv === conv);
    const known = this.state.pastConvs.find((c) => c.conv === conv);
    const info: ConvInfo = peer
      ? { conv, name: peer.displayName || peer.name, colourIndex: peer.colourIndex, username: peer.username, lastActivity: timestamp }
      : { ...(known ?? db.legacyConvInfo(conv)), lastActivity: timestamp };
    void db.saveConv(info);
    this.set((s) => ({ pastConvs: [{ ...known, ...info, lastActivity: Math.max(known?.lastActivity ?? 0, timestamp) }, ...s.pastConvs.filter((c) => c.conv !== conv)] }));
  }

  private async loadHistory(conv: string): Promise<void> {
    if (this.loadedConvs.has(conv) || !db.isPersistentConv(conv)) return;
    this.loadedConvs.add(conv);
    const stored = await db.loadRecent(conv, HISTORY_LIMIT);
    if (!stored.length) return;
    this.set((s) => {
      let list = s.conversations[conv] ?? [];
      for (const m of stored) {
        // A message still "sending" when the page went away was never confirmed.
        const fixed = m.delivery === 'sending' ? { ...m, delivery: 'failed' as const } : m;
        list = append(list, fixed);
      }
      return { conversations: { ...s.conversations, [conv]: list } };
    });
    await this.restoreFiles(stored.filter((m) => m.file && m.author === 'peer'));
  }

  /** Received files kept on this device get their download (and inline view) back after a reload. */
  private async restoreFiles(messages: StoredMessage[]): Promise<void> {
    for (const m of messages) {
      if (this.state.transfers[m.messageId]) continue;
      const f = await db.loadFile(m.messageId);
      if (!f) continue;
      const url = URL.createObjectURL(f.blob);
      this.set((s) => ({ transfers: { ...s.transfers, [m.messageId]: { messageId: m.messageId, direction: 'receive', state: 'done', url, kept: 'kept' } } }));
    }
  }

  /** Keeps a received file within the size cap (oldest evicted first). */
  private async keepFile(messageId: string, blob: Blob): Promise<void> {
    const conv = Object.entries(this.state.conversations).find(([, l]) => l.some((m) => m.messageId === messageId))?.[0];
    if (!conv || !db.isPersistentConv(conv)) return;
    const kept = await db.keepFile({ messageId, conv, blob, size: blob.size, savedAt: Date.now() }, await fileCacheBytes());
    this.set((s) => (s.transfers[messageId] ? { transfers: { ...s.transfers, [messageId]: { ...s.transfers[messageId], kept } } } : {}));
  }

  /** A peer's connection revealed its certificate: an anonymous Parley peer gets its lasting key. */
  private identify(nodeId: string, fingerprint: string): void {
    this.fingerprints.set(nodeId, fingerprint);
    const peer = this.state.peers[nodeId];
    if (!peer || !isProvisionalConv(peer.conv)) return;
    const from = peer.conv;
    const conv = fingerprintKey(fingerprint);
    this.aliases.set(from, conv);
    const pending = (this.state.conversations[from] ?? []).map((m) => ({ ...m, conv }));
    this.set((s) => {
      const conversations = { ...s.conversations };
      delete conversations[from];
      let list = conversations[conv] ?? [];
      for (const m of pending) list = append(list, m);
      conversations[conv] = list;
      return { peers: { ...s.peers, [nodeId]: { ...s.peers[nodeId], conv } }, conversations };
    });
    if (pending.length) {
      void db.saveMessages(pending);
      this.touchConv(conv, pending[pending.length - 1].timestamp);
    }
    void this.loadHistory(conv);
  }

  private setDiagnostics(nodeId: string, d: PeerDiagnostics): void {
    this.set((st) => ({ diagnostics: { ...st.diagnostics, [nodeId]: d } }));
  }

  private convOf(nodeId: string): string | undefined {
    return this.state.peers[nodeId]?.conv;
  }

  private setConv(conv: string, list: StoredMessage[]): void {
    const key = this.canon(conv);
    this.set((s) => ({ conversations: { ...s.conversations, [key]: list } }));
  }

  /**
   * The current key of a conversation. A key captured before its peer was identified (a pending
   * ACK, a file transfer) still reaches the conversation afterwards.
   */
  private canon(conv: string): string {
    return this.aliases.get(conv) ?? conv;
  }

  private route(nodeId: string) {
    return { from: this.state.ownId!, to: nodeId };
  }

  private transmit(nodeId: string, m: ChatMessage): void {
    const s = this.mesh.ensure(nodeId);
    if (s.chatOpen && s.sendChat(m)) return;
    const q = this.unsent.get(nodeId) ?? [];
    if (q.length < 200) q.push(m);
    this.unsent.set(nodeId, q);
    if (!s.chatOpen) s.initiate();
  }

  private flushUnsent(nodeId: string): void {
    const q = this.unsent.get(nodeId);
    this.unsent.delete(nodeId);
    const s = this.mesh.get(nodeId);
    for (const m of q ?? []) if (!s?.sendChat(m)) this.transmit(nodeId, m);
  }

  sendText(nodeId: string, text: string): void {
    const conv = this.convOf(nodeId);
    if (!conv || !this.state.ownId || !text.trim()) return;
    const m = buildText(this.route(nodeId), text.slice(0, MAX_TEXT_LENGTH));
    const stored: StoredMessage = { messageId: m.messageId, conv, author: 'me', timestamp: m.timestamp!, text: m.message, delivery: 'sending' };
    this.setConv(conv, append(this.state.conversations[conv] ?? [], stored));
    void db.saveMessage(stored);
    this.touchConv(conv, stored.timestamp);
    this.deliver(nodeId, conv, m);
  }

  /** Sends (or resends, under the same id) and tracks the ACK: delivered, or failed after 10 s. */
  private deliver(nodeId: string, conv: string, m: ChatMessage): void {
    const s = this.mesh.ensure(nodeId);
    const acked = s.waitForAck(m.messageId, ACK_TIMEOUT_MS);
    this.transmit(nodeId, m);
    void acked.then((ok) => this.setDelivery(conv, m.messageId, ok ? 'delivered' : 'failed'));
  }

  private setDelivery(c: string, id: string, delivery: 'delivered' | 'failed'): void {
    const conv = this.canon(c);
    const list = this.state.conversations[conv];
    if (!list) return;
    const [next, changed] = update(list, id, (x) => (x.delivery === 'delivered' ? x : { ...x, delivery }));
    if (!changed) return;
    this.setConv(conv, next);
    void db.saveMessage(changed);
  }

  retry(nodeId: string, messageId: string): void {
    const conv = this.convOf(nodeId);
    const msg = conv ? this.state.conversations[conv]?.find((x) => x.messageId === messageId) : undefined;
    if (!conv || !msg || msg.author !== 'me' || msg.file || msg.delivery !== 'failed') return;
    const [next] = update(this.state.conversations[conv], messageId, (x) => ({ ...x, delivery: 'sending' }));
    this.setConv(conv, next);
    this.deliver(nodeId, conv, buildText(this.route(nodeId), msg.text ?? '', msg.messageId, msg.timestamp));
  }

  editMessage(nodeId: string, messageId: string, text: string): void {
    const conv = this.convOf(nodeId);
    const msg = conv ? this.state.conversations[conv]?.find((x) => x.messageId === messageId) : undefined;
    if (!conv || !msg || msg.author !== 'me' || msg.file || !text.trim()) return;
    const newText = text.slice(0, MAX_TEXT_LENGTH);
    const [next, changed] = update(this.state.conversations[conv], messageId, (x) => ({ ...x, text: newText, edited: true }));
    this.setConv(conv, next);
    if (changed) void db.saveMessage(changed);
    const route = this.route(nodeId);
    this.transmit(nodeId, buildAmend(route, { messageId, message: msg.text, timestamp: msg.timestamp, fromNodeId: route.from, toNodeId: route.to }, newText));
  }

  deleteMessage(nodeId: string, messageId: string): void {
    const conv = this.convOf(nodeId);
    const msg = conv ? this.state.conversations[conv]?.find((x) => x.messageId === messageId) : undefined;
    if (!conv || !msg || msg.author !== 'me') return;
    this.setConv(conv, this.state.conversations[conv].filter((x) => x.messageId !== messageId));
    void db.deleteMessage(messageId);
    if (msg.file) this.cancelTransfer(messageId);
    this.transmit(nodeId, buildDelete(this.route(nodeId), messageId));
  }

  /** Marks messages read once they are seen (§10.4). */
  markRead(conv: string, ids: string[]): void {
    const list = this.state.conversations[conv];
    if (!list || !ids.length) return;
    const set = new Set(ids);
    let changed = false;
    const next = list.map((m) => {
      if (!m.unread || !set.has(m.messageId)) return m;
      changed = true;
      const r = { ...m, unread: false };
      void db.saveMessage(r);
      return r;
    });
    if (!changed) return;
    this.setConv(conv, next);
    this.persistUnreads();
  }

  private persistUnreads(): void {
    if (!this.state.ownId) return;
    const ids: string[] = [];
    for (const list of Object.values(this.state.conversations)) for (const m of list) if (m.unread) ids.push(m.messageId);
    prefs.saveUnreads(this.state.ownId, ids);
  }

  private onChat(nodeId: string, m: ChatMessage): void {
    const conv = this.convOf(nodeId);
    const kind = chatKind(m);
    if (kind === 'ack' || kind === 'ping' || kind === 'pong') {
      return; // ACKs were matched by the session; never ACK an ACK
    }
    const ack = () => this.mesh.get(nodeId)?.sendChat(buildAck(this.route(nodeId), m.messageId));
    if (!conv || kind === 'empty') { ack(); return; } // nothing to show
    const list = this.state.conversations[conv] ?? [];
    if (kind === 'amend') {
      const [next, changed] = applyAmend(list, m);
      if (changed) { this.setConv(conv, next); void db.saveMessage(changed); }
      ack();
      return;
    }
    if (kind === 'delete') {
      const [next, gone] = applyDelete(list, m);
      if (gone) { this.setConv(conv, next); void db.deleteMessage(gone); this.files.cancel(gone); }
      ack();
      return;
    }
    if (list.some((x) => x.messageId === m.messageId)) { ack(); return; } // duplicates are ACKed again
    const seen = this.state.selected === nodeId && this.visible;
    const stored: StoredMessage = {
      messageId: m.messageId,
      conv,
      author: 'peer',
      timestamp: Date.now(), // our clock: a peer's clock must not reorder the list
      unread: !seen || undefined,
    };
    if (kind === 'file' && m.file) {
      const meta: FileMeta = { ...m.file };
      if (meta.thumbnail && !isSafeThumbnail(meta.thumbnail.dataURL)) delete meta.thumbnail;
      meta.name = meta.name.slice(0, 255);
      stored.file = meta;
      if (!this.files.onFileMeta(nodeId, m.messageId, meta)) { ack(); return; }
    } else {
      stored.text = clampText(displayText(m));
    }
    let next = append(list, stored);
    for (const p of this.patchBuffers.get(nodeId)?.take(m.messageId) ?? []) next = applyPatchOrder(next, p)?.[0] ?? next;
    this.setConv(conv, next);
    void db.saveMessage(next.find((x) => x.messageId === m.messageId) ?? stored);
    this.touchConv(conv, stored.timestamp);
    if (stored.unread) this.persistUnreads();
    ack();
  }

  private onPatch(nodeId: string, p: PatchOrder): void {
    const conv = this.convOf(nodeId);
    if (!conv) return;
    const r = applyPatchOrder(this.state.conversations[conv] ?? [], p);
    if (r === null) {
      let buf = this.patchBuffers.get(nodeId);
      if (!buf) this.patchBuffers.set(nodeId, (buf = new PatchBuffer()));
      buf.add(p);
      return;
    }
    const [next, changed] = r;
    if (changed) {
      this.setConv(conv, next);
      void db.saveMessage(changed);
    }
  }

  private onAudio(nodeId: string, stream: MediaStream): void {
    const conv = this.convOf(nodeId);
    this.set((s) => ({ audio: { ...s.audio, [nodeId]: stream } }));
    if (!conv) return;
    const list = this.state.conversations[conv] ?? [];
    if (list.some((m) => m.audio && m.messageId === `audio:${stream.id}`)) return;
    this.setConv(conv, append(list, { messageId: `audio:${stream.id}`, conv, author: 'peer', timestamp: Date.now(), audio: true }));
  }

  // ---- files -------------------------------------------------------------------------------------

  sendFiles(nodeId: string, files: File[], source: FileSource): Promise<void> {
    return this.files.send(nodeId, files, source);
  }

  cancelTransfer(messageId: string): void {
    this.files.cancel(messageId);
  }
}

/** Room for received files: 512 MiB, or a fifth of the origin's quota when that is smaller. */
let cacheBytes: number | undefined;
async function fileCacheBytes(): Promise<number> {
  if (cacheBytes !== undefined) return cacheBytes;
  let quota = Infinity;
  try { quota = (await navigator.storage?.estimate?.())?.quota ?? Infinity; } catch { /* unknown */ }
  cacheBytes = Math.min(FILE_CACHE_BYTES, quota / 5);
  return cacheBytes;
}

export const appStore = new AppStore();

// The application's state and actions. It owns the signalling client and one PeerSession per
// peer, turns their events into conversation state, and persists history. React components only
// read this state and call these actions.
import { Store } from './Store';
import { SignallingClient } from '../signalling/SignallingClient';
import { PeerSession, type PeerDiagnostics } from '../rtc/PeerSession';
import { FileTransfers, type FileSource } from './FileTransfers';
import { parseServers, resolveWsUrl, iceServersOf, type ServerEntry } from '../protocol/serversJson';
import { parseConns, type ConnEntry } from '../protocol/conns';
import { isPoliteToward } from '../protocol/negotiationRole';
import { colourIndexForPeer } from '../protocol/palette';
import { buildAck, buildAmend, buildDelete, buildText, chatKind, displayText, type ChatMessage, type FileMeta } from '../protocol/chatMessage';
import { isSafeThumbnail } from '../protocol/fileCategory';
import type { Envelope } from '../protocol/envelope';
import type { PatchOrder } from '../protocol/msgpatch';
import { buildPeers, followSelection, profileLookupName } from './peerDirectory';
import { append, applyAmend, applyDelete, applyPatchOrder, clampText, PatchBuffer, update } from './conversation';
import * as db from './db';
import * as prefs from './localPrefs';
import type { AppState, StoredMessage } from './types';

const ACK_TIMEOUT_MS = 10_000;
const CONNS_REFRESH_MS = 15_000;
const HISTORY_LIMIT = 300;
const MAX_TEXT_LENGTH = 16_000;

export type { FileSource } from './FileTransfers';

export class AppStore extends Store<AppState> {
  private signalling: SignallingClient | null = null;
  private sessions = new Map<string, PeerSession>();
  private readonly files = new FileTransfers({
    setState: (f) => this.set(f),
    convOf: (id) => this.convOf(id),
    ownId: () => this.state.ownId,
    session: (id) => this.ensureSession(id),
    addMessage: (conv, m) => this.setConv(conv, append(this.state.conversations[conv] ?? [], m)),
    patchMessage: (conv, id, f) => {
      const [next, changed] = update(this.state.conversations[conv] ?? [], id, f);
      this.setConv(conv, next);
      if (changed) void db.saveMessage(changed);
    },
    setDelivery: (conv, id, d) => this.setDelivery(conv, id, d),
  });
  private patchBuffers = new Map<string, PatchBuffer>();
  private unsent = new Map<string, ChatMessage[]>(); // peer -> queued until chat opens
  private loadedConvs = new Set<string>();
  /** the conversation whose peer left while its chat was open, to follow it when it returns */
  private departedConv: string | undefined;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private refreshPending: Promise<void> | null = null;
  private profileNames = new Map<string, string>();
  /** TURN credentials from the server entry's iceServersEndpoint (§3.11), refreshed every 10 min */
  private fetchedIce: RTCIceServer[] | null = null;
  private iceTimer: ReturnType<typeof setInterval> | undefined;
  /** performance.now() when each peer's chat channel first opened (read by the benchmark) */
  readonly chatOpenTimes = new Map<string, number>();
  visible = typeof document === 'undefined' || document.visibilityState === 'visible';

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
      themeMode: prefs.themeMode(),
    });
  }

  get server(): ServerEntry | undefined {
    return this.state.servers.find((s) => s.id === this.state.serverId);
  }

  // ---- connect ---------------------------------------------------------------------------------

  async init(): Promise<void> {
    try {
      const res = await fetch('/servers.json', { cache: 'no-store' });
      const servers = parseServers(await res.json());
      if (!servers.length) throw new Error('no usable server entries');
      const pinned = prefs.pinnedServer();
      const current = prefs.currentServer();
      const serverId = servers.find((s) => s.id === current)?.id ?? servers[0].id;
      this.set({ servers, serverId });
      if (pinned && servers.some((s) => s.id === pinned)) this.connect(pinned, this.state.preference);
    } catch (e) {
      this.set({ serversError: `Could not load the server list: ${(e as Error).message}` });
    }
  }

  selectServer(id: string): void {
    this.set({ serverId: id });
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
    sig.on('sdp', (p) => {
      let desc: RTCSessionDescriptionInit;
      try { desc = JSON.parse(p.offer_json); } catch { return; }
      if (typeof desc !== 'object' || desc === null || typeof desc.sdp !== 'string') return;
      desc = { type: p.type as RTCSdpType, sdp: desc.sdp }; // act on the envelope type (§2.5.5)
      if (desc.type !== 'offer' && desc.type !== 'answer') return;
      const s = desc.type === 'offer' ? this.ensureSession(p.from_node_id) : this.sessions.get(p.from_node_id);
      s?.handleSdp(desc);
    });
    sig.on('ice', (p) => {
      let c: RTCIceCandidateInit;
      try { c = JSON.parse(p.offer_json); } catch { return; }
      if (typeof c !== 'object' || c === null || typeof c.candidate !== 'string') return;
      this.sessions.get(p.from_node_id)?.handleIce(c); // unknown peer: dropped (§6.4)
    });
    sig.start();
    clearInterval(this.iceTimer);
    this.fetchedIce = null;
    if (server.iceServersEndpoint) {
      void this.fetchIceServers(server.iceServersEndpoint);
      this.iceTimer = setInterval(() => void this.fetchIceServers(server.iceServersEndpoint!), 10 * 60_000);
    }
    clearInterval(this.refreshTimer);
    this.refreshTimer = setInterval(() => void this.refreshPeers(), CONNS_REFRESH_MS);
  }

  private async fetchIceServers(url: string): Promise<void> {
    try {
      const res = await fetch(url, { credentials: 'include', cache: 'no-store' });
      if (!res.ok) return;
      const body = (await res.json()) as { iceServers?: unknown };
      if (!Array.isArray(body.iceServers)) return;
      const list = body.iceServers.filter((x): x is RTCIceServer => typeof x === 'object' && x !== null && (typeof (x as RTCIceServer).urls === 'string' || Array.isArray((x as RTCIceServer).urls)));
      if (list.length) this.fetchedIce = list;
    } catch { /* keep the static list */ }
  }

  /** Deliberate disconnect: closes every peer connection (§6.6); `forget` also unpins the server. */
  disconnect(forget = true): void {
    clearInterval(this.refreshTimer);
    clearInterval(this.iceTimer);
    this.signalling?.stop();
    this.signalling = null;
    this.closeAllSessions();
    if (forget) prefs.setPinnedServer(null);
    this.set({ status: 'closed', ownId: undefined, peers: {}, selected: undefined, diagnostics: {}, audio: {} });
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
    return { register: { node_name: this.state.preference.name ?? '' }, attributes_announcement: { attributes } };
  }

  private onRegistered(id: string, name: string): void {
    const previous = this.state.ownId;
    if (previous && previous !== id) this.closeAllSessions(); // a reconnect: old connections end cleanly
    this.set({ ownId: id, ownName: name });
    this.persistUnreads();
    void this.refreshPeers();
  }

  private closeAllSessions(): void {
    for (const s of [...this.sessions.values()]) s.close();
    this.sessions.clear();
    this.files.dropAll();
    this.unsent.clear();
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
    const peers = buildPeers(entries, this.state.ownId, this.state.peers, (n) => this.profileNames.get(n));
    for (const c of entries) {
      const lookup = profileLookupName(c);
      if (lookup && !this.profileNames.has(lookup)) void this.lookupDisplayName(lookup);
    }
    for (const p of Object.values(peers)) void this.loadHistory(p.conv);
    // Peers that left without an `offline` (original server) are dropped too.
    for (const id of Object.keys(this.state.peers)) if (!peers[id]) this.closeSession(id);
    // If the open chat's peer came back under a new node id (reload, reconnect), follow it.
    const old = this.state.selected;
    const selected = followSelection(old, (old && this.state.peers[old]?.conv) || this.departedConv, peers);
    if (selected !== old) this.departedConv = undefined;
    this.set({ peers, selected });
    prefs.pruneScrollKeys(new Set(Object.keys(peers)));
  }

  /** Display names come from /profile?username= (§10.4), only for authenticated peers. */
  private async lookupDisplayName(username: string): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.profileNames.set(username, '');
    try {
      const res = await fetch(`${server.apiPrefix}/profile?username=${encodeURIComponent(username)}`, { credentials: 'include' });
      if (!res.ok) return;
      const p = (await res.json()) as { displayName?: unknown };
      if (typeof p.displayName === 'string' && p.displayName.trim()) {
        const dn = p.displayName.trim().slice(0, 64);
        this.profileNames.set(username, dn);
        this.set((s) => {
          const peers = { ...s.peers };
          for (const [id, v] of Object.entries(peers)) if ((v.username ?? v.name) === username) peers[id] = { ...v, displayName: dn };
          return { peers };
        });
      }
    } catch { /* keep the node name */ }
  }

  private renamePeer(nodeId: string, name: string): void {
    if (nodeId === this.state.ownId) { this.set({ ownName: name }); return; }
    const p = this.state.peers[nodeId];
    if (p) this.set({ peers: { ...this.state.peers, [nodeId]: { ...p, name, displayName: name, colourIndex: colourIndexForPeer(name, p.attributes.preferred_color) } } });
  }

  private onPeerGone(nodeId: string): void {
    this.closeSession(nodeId);
    const gone = this.state.peers[nodeId];
    if (!gone) return;
    const peers = { ...this.state.peers };
    delete peers[nodeId];
    if (this.state.selected === nodeId) this.departedConv = gone.conv;
    this.set({ peers });
  }

  private closeSession(nodeId: string): void {
    const s = this.sessions.get(nodeId);
    this.sessions.delete(nodeId);
    s?.close();
    this.files.dropPeer(nodeId);
    this.patchBuffers.delete(nodeId);
    this.unsent.delete(nodeId);
    const diagnostics = { ...this.state.diagnostics };
    delete diagnostics[nodeId];
    const audio = { ...this.state.audio };
    delete audio[nodeId];
    this.set({ diagnostics, audio });
  }

  // ---- conversations -----------------------------------------------------------------------------

  /** Opens the chat with a peer, connecting to it if needed (we are the offerer, §6.1). */
  openChat(nodeId: string): void {
    this.set({ selected: nodeId });
    const peer = this.state.peers[nodeId];
    if (!peer) return;
    void this.loadHistory(peer.conv);
    this.ensureSession(nodeId).initiate();
  }

  closeChat(): void {
    this.set({ selected: undefined });
  }

  private async loadHistory(conv: string): Promise<void> {
    if (this.loadedConvs.has(conv)) return;
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
  }

  private ensureSession(nodeId: string): PeerSession {
    const existing = this.sessions.get(nodeId);
    if (existing && !existing.isClosed) return existing;
    const ownId = this.state.ownId!;
    const sig = this.signalling!;
    const peer = this.state.peers[nodeId];
    const polite = isPoliteToward(ownId, nodeId, peer?.attributes);
    const ice = [...(this.fetchedIce ?? []), ...(this.server ? iceServersOf(this.server) : [])];
    const s = new PeerSession(ownId, nodeId, polite, ice, {
      sdp: (d) => sig.sendSdp(nodeId, d),
      ice: (c) => sig.sendIce(nodeId, c),
    });
    this.sessions.set(nodeId, s);
    s.on('chat', (m) => this.onChat(nodeId, m));
    s.on('chatOpen', () => { if (!this.chatOpenTimes.has(nodeId)) this.chatOpenTimes.set(nodeId, performance.now()); this.flushUnsent(nodeId); });
    s.on('fileChannel', (dc) => this.files.onFileChannel(nodeId, dc));
    s.on('patch', (p) => this.onPatch(nodeId, p));
    s.on('diagnostics', (d) => this.setDiagnostics(nodeId, d));
    s.on('track', (_t, stream) => this.onAudio(nodeId, stream));
    s.on('closed', (reason) => {
      if (this.sessions.get(nodeId) === s) this.sessions.delete(nodeId);
      if (reason !== 'closed') this.setDiagnostics(nodeId, { ...s.diag, connectionState: 'failed' });
    });
    return s;
  }

  private setDiagnostics(nodeId: string, d: PeerDiagnostics): void {
    this.set((st) => ({ diagnostics: { ...st.diagnostics, [nodeId]: d } }));
  }

  private convOf(nodeId: string): string | undefined {
    return this.state.peers[nodeId]?.conv;
  }

  private setConv(conv: string, list: StoredMessage[]): void {
    this.set((s) => ({ conversations: { ...s.conversations, [conv]: list } }));
  }

  private route(nodeId: string) {
    return { from: this.state.ownId!, to: nodeId };
  }

  private transmit(nodeId: string, m: ChatMessage): void {
    const s = this.ensureSession(nodeId);
    if (s.chatOpen && s.sendChat(m)) return;
    const q = this.unsent.get(nodeId) ?? [];
    if (q.length < 200) q.push(m);
    this.unsent.set(nodeId, q);
    if (!s.chatOpen) s.initiate();
  }

  private flushUnsent(nodeId: string): void {
    const q = this.unsent.get(nodeId);
    this.unsent.delete(nodeId);
    const s = this.sessions.get(nodeId);
    for (const m of q ?? []) if (!s?.sendChat(m)) this.transmit(nodeId, m);
  }

  sendText(nodeId: string, text: string): void {
    const conv = this.convOf(nodeId);
    if (!conv || !this.state.ownId || !text.trim()) return;
    const m = buildText(this.route(nodeId), text.slice(0, MAX_TEXT_LENGTH));
    const stored: StoredMessage = { messageId: m.messageId, conv, author: 'me', timestamp: m.timestamp!, text: m.message, delivery: 'sending' };
    this.setConv(conv, append(this.state.conversations[conv] ?? [], stored));
    void db.saveMessage(stored);
    this.deliver(nodeId, conv, m);
  }

  /** Sends (or resends, under the same id) and tracks the ACK: delivered, or failed after 10 s. */
  private deliver(nodeId: string, conv: string, m: ChatMessage): void {
    const s = this.ensureSession(nodeId);
    const acked = s.waitForAck(m.messageId, ACK_TIMEOUT_MS);
    this.transmit(nodeId, m);
    void acked.then((ok) => this.setDelivery(conv, m.messageId, ok ? 'delivered' : 'failed'));
  }

  private setDelivery(conv: string, id: string, delivery: 'delivered' | 'failed'): void {
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
    const ack = () => this.sessions.get(nodeId)?.sendChat(buildAck(this.route(nodeId), m.messageId));
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

export const appStore = new AppStore();

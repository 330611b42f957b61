// The application: one Store, its slices, the peer mesh, and the wiring between them. React
// components read the state and call the actions below, each of which is one slice's; the slices
// reach each other only through the narrow hosts they declare (see docs/WEB_CLIENT.md).
import { Store } from './Store';
import { PeerMesh } from '../rtc/PeerMesh';
import { sendWindow } from '../rtc/FileSender';
import { verifyPolicy } from '../rtc/hashBlob';
import type { IdpEntry } from '../protocol/serversJson';
import { Account } from './Account';
import { Connection } from './Connection';
import { Conversations } from './Conversations';
import { FileTransfers, type FileSource } from './FileTransfers';
import { Messaging } from './Messaging';
import { Presence } from './Presence';
import { Verification } from './Verification';
import * as prefs from './localPrefs';
import type { Preference } from './records';
import type { AppState } from './types';

export type { FileSource } from './FileTransfers';

export class AppStore extends Store<AppState> {
  private readonly mesh: PeerMesh;
  private readonly connection: Connection;
  private readonly account: Account;
  private readonly presence: Presence;
  private readonly conversations: Conversations;
  private readonly messaging: Messaging;
  private readonly files: FileTransfers;
  private readonly verification: Verification;
  /** the sender's back-pressure window, adjustable by the benchmark */
  readonly sendWindow = sendWindow;
  /** whether received files are hashed while they arrive or after, adjustable by the benchmark */
  readonly verifyPolicy = verifyPolicy;

  constructor() {
    super({
      servers: [], status: 'closed', preference: prefs.loadPreference(), peers: {}, conversations: {}, transfers: {},
      diagnostics: {}, verification: {}, audio: {}, pastConvs: [], account: { status: 'unknown' }, themeMode: prefs.themeMode(),
    });
    const store = this.access;
    const connect = (nodeId: string) => this.mesh.ensure(nodeId).initiate();
    this.mesh = new PeerMesh({
      ownId: () => this.state.ownId,
      attributesOf: (id) => this.state.peers[id]?.attributes,
      config: () => this.connection.peerConfig(),
    });
    this.connection = new Connection(store, {
      checkAccount: (afterLogin) => this.account.checkAccount(afterLogin),
      disconnect: (forget) => this.disconnect(forget),
      attach: (sig) => { this.mesh.attach(sig); this.presence.listen(sig); },
      newNodeId: () => this.dropAllPeers(),
      registered: () => { this.conversations.persistUnreads(); void this.presence.refreshPeers(); },
    });
    this.account = new Account(store, { server: () => this.server, disconnect: (forget) => this.disconnect(forget) });
    this.presence = new Presence(store, {
      server: () => this.server,
      loadHistory: (conv) => this.conversations.loadHistory(conv),
      connect,
      dropPeer: (id) => this.dropPeer(id),
    });
    this.conversations = new Conversations(store, { connect, restoreFiles: (ms) => this.files.restoreFiles(ms) });
    this.files = new FileTransfers(store, { session: (id) => this.mesh.ensure(id), conversations: this.conversations });
    this.verification = new Verification(store, { released: (id) => this.messaging.release(id) });
    this.messaging = new Messaging(store, { mesh: this.mesh, conversations: this.conversations, files: this.files, verification: this.verification });

    this.mesh.on('chat', (id, m) => this.messaging.onChat(id, m));
    this.mesh.on('chatOpen', (id) => this.messaging.flushUnsent(id));
    this.mesh.on('patch', (id, p) => this.messaging.onPatch(id, p));
    this.mesh.on('track', (id, _track, stream) => this.messaging.onAudio(id, stream));
    this.mesh.on('fileChannel', (id, dc) => this.files.onFileChannel(id, dc));
    this.mesh.on('diagnostics', (id, d) => this.presence.setDiagnostics(id, d));
    this.mesh.on('closed', (id, reason, last) => this.presence.onSessionClosed(id, reason, last));
    this.mesh.on('identified', (id, fp) => {
      this.presence.identified(id, fp);
      this.conversations.identify(id, fp);
      this.verification.identified(id, fp);
    });
    this.mesh.on('secured', (id, own, peer) => this.verification.secured(id, own, peer));
  }

  get server() { return this.connection.server; }
  /** TURN credentials of the connection (the end-to-end tests reset its cache) */
  get iceSource() { return this.connection.iceSource; }
  /** open sessions by node id (read by the end-to-end tests and the benchmark) */
  get sessions() { return this.mesh.sessions; }
  /** performance.now() when each peer's chat channel first opened (read by the benchmark) */
  get chatOpenTimes() { return this.mesh.chatOpenTimes; }
  /** whether the page is visible (set by the message list): a message arriving in the open chat is read */
  get visible() { return this.messaging.visible; }
  set visible(v: boolean) { this.messaging.visible = v; }

  // ---- connection and account --------------------------------------------------------------------

  async init(): Promise<void> {
    await Promise.all([this.connection.loadCertificate(), this.verification.load()]);
    void this.conversations.refreshPastConvs();
    await this.connection.loadServers();
  }

  selectServer(id: string): void { this.connection.selectServer(id); }
  connect(serverId: string, preference: Preference): void { this.connection.connect(serverId, preference); }
  rename(pref: Preference): void { this.connection.rename(pref); }
  cancelLogin(): void { this.account.cancelLogin(); }
  login(idp: IdpEntry): void { this.account.login(idp); }
  logout(): Promise<void> { return this.account.logout(); }

  setThemeMode(m: 'light' | 'dark' | 'system'): void {
    prefs.setThemeMode(m);
    this.set({ themeMode: m });
  }

  /** Deliberate disconnect: closes every peer connection (§6.6); `forget` also unpins the server. */
  disconnect(forget = true): void {
    this.presence.stop();
    this.connection.stop(forget);
    this.mesh.attach(null);
    this.dropAllPeers();
    this.set({ status: 'closed', ownId: undefined, peers: {}, selected: undefined, selectedConv: undefined, diagnostics: {}, verification: {}, audio: {} });
  }

  // ---- peers and conversations -------------------------------------------------------------------

  refreshPeers(): Promise<void> { return this.presence.refreshPeers(); }
  openChat(nodeId: string): void { this.conversations.openChat(nodeId); }
  closeChat(): void { this.conversations.closeChat(); }
  openPastConv(conv: string): void { this.conversations.openPastConv(conv); }
  deleteConversation(conv: string): Promise<void> { return this.conversations.deleteConversation(conv); }
  markRead(conv: string, ids: string[]): void { this.conversations.markRead(conv, ids); }

  // ---- messages and files ------------------------------------------------------------------------

  sendText(nodeId: string, text: string): void { this.messaging.sendText(nodeId, text); }
  retry(nodeId: string, messageId: string): void { this.messaging.retry(nodeId, messageId); }
  editMessage(nodeId: string, messageId: string, text: string): void { this.messaging.editMessage(nodeId, messageId, text); }
  deleteMessage(nodeId: string, messageId: string): void { this.messaging.deleteMessage(nodeId, messageId); }
  /** Files wait for no one: while the peer's changed safety number is undecided, none is offered. */
  sendFiles(nodeId: string, files: File[], source: FileSource): Promise<void> {
    if (this.verification.holds(nodeId)) return Promise.resolve();
    return this.files.send(nodeId, files, source);
  }
  cancelTransfer(messageId: string): void { this.files.cancel(messageId); }

  // ---- safety numbers ----------------------------------------------------------------------------

  markVerified(nodeId: string): void { this.verification.markVerified(nodeId); }
  unverify(nodeId: string): void { this.verification.unverify(nodeId); }
  /** "Send anyway" after a verified contact's safety number changed (this connection only). */
  acknowledgeKeyChange(nodeId: string): void { this.verification.acknowledge(nodeId); }

  // ---- the wiring --------------------------------------------------------------------------------

  /** A peer left (or its connection is dropped): its session closes and every slice forgets it. */
  private dropPeer(nodeId: string): void {
    this.mesh.close(nodeId);
    this.files.dropPeer(nodeId);
    this.messaging.dropPeer(nodeId);
    this.presence.dropPeer(nodeId);
    this.verification.dropPeer(nodeId);
  }

  /** Every peer connection ends (a new node id, a disconnect). */
  private dropAllPeers(): void {
    this.mesh.closeAll();
    this.files.dropAll();
    this.messaging.dropAll();
    this.presence.dropAll();
    this.verification.dropAll();
  }
}

export const appStore = new AppStore();

// The connection slice: the server list (/servers.json), the chosen and pinned server, the
// visitor's name and colour, the signalling WebSocket (`status`, `retryInMs`, `wsRttMs`, `ownId`,
// `ownName`), and what a new peer connection is configured with: the server entry's ICE servers,
// TURN credentials from its iceServersEndpoint (§3.11, §10.1) and this browser's certificate.
import { SignallingClient } from '../signalling/SignallingClient';
import { IceServerSource } from '../rtc/iceCredentials';
import type { PeerConfig } from '../rtc/PeerSession';
import type { Envelope } from '../protocol/envelope';
import { parseServers, resolveWsUrl, iceServersOf, type ServerEntry } from '../protocol/serversJson';
import type { StoreAccess } from './Store';
import { ownCertificate } from './identity';
import * as prefs from './localPrefs';
import type { Preference } from './records';
import type { AppState } from './types';

/** What the connection needs from the rest of the application. */
export interface ConnectionHost {
  /** the login state of the chosen server (§4.1); a pinned server auto-connects after it */
  checkAccount(afterLogin?: boolean): Promise<void>;
  /** closes the signalling and every peer connection; `forget` also unpins the server */
  disconnect(forget: boolean): void;
  /** a new signalling client: peer connections and presence follow it */
  attach(sig: SignallingClient): void;
  /** registered under a new node id after a reconnect: the old peer connections end (§6.6) */
  newNodeId(): void;
  /** registered (again) */
  registered(): void;
}

export class Connection {
  private signalling: SignallingClient | null = null;
  private certificate: RTCCertificate | null = null;
  /** TURN credentials from the server entry's iceServersEndpoint (§3.11, §10.1), per connection */
  iceSource: IceServerSource | null = null;

  constructor(private readonly store: StoreAccess<AppState>, private readonly host: ConnectionHost) {}

  get server(): ServerEntry | undefined {
    const s = this.store.get();
    return s.servers.find((x) => x.id === s.serverId);
  }

  /** This browser's persistent DTLS certificate, for every peer connection (identity.ts). */
  async loadCertificate(): Promise<void> {
    this.certificate = await ownCertificate();
  }

  /** The server list; the current server is chosen, its login checked, a pinned one connected. */
  async loadServers(): Promise<void> {
    try {
      const res = await fetch('/servers.json', { cache: 'no-store' });
      const servers = parseServers(await res.json());
      if (!servers.length) throw new Error('no usable server entries');
      const pinned = prefs.pinnedServer();
      const current = prefs.currentServer();
      const serverId = servers.find((s) => s.id === current)?.id ?? servers[0].id;
      this.store.set({ servers, serverId });
      await this.host.checkAccount();
      if (pinned && servers.some((s) => s.id === pinned)) this.connect(pinned, this.store.get().preference);
    } catch (e) {
      this.store.set({ serversError: `Could not load the server list: ${(e as Error).message}` });
    }
  }

  selectServer(id: string): void {
    this.store.set({ serverId: id });
    void this.host.checkAccount(false);
  }

  connect(serverId: string, preference: Preference): void {
    const server = this.store.get().servers.find((s) => s.id === serverId);
    if (!server) return;
    this.host.disconnect(false);
    const pref = { ...preference, name: preference.name?.trim().slice(0, 64) || undefined };
    prefs.savePreference(pref);
    prefs.setCurrentServer(serverId);
    prefs.setPinnedServer(serverId);
    this.store.set({ serverId, preference: pref });
    const url = resolveWsUrl(server.url, window.location);
    const sig = new SignallingClient(url, () => this.registerFrame());
    this.signalling = sig;
    sig.on('status', (status, info) => this.store.set({ status, retryInMs: info.retryInMs }));
    sig.on('registered', (id, name) => this.onRegistered(id, name));
    sig.on('rtt', (ms) => this.store.set({ wsRttMs: ms }));
    this.host.attach(sig);
    sig.start();
    // Parley servers answer /ice-servers only to callers they know: a session, or this
    // connection's registration, proved by the ticket of its register reply.
    const ticket = (): Record<string, string> => {
      const t = this.signalling?.turnTicket;
      return t ? { 'X-Parley-Turn-Ticket': t } : {};
    };
    this.iceSource = server.iceServersEndpoint ? new IceServerSource(server.iceServersEndpoint, undefined, undefined, ticket) : null;
  }

  /** Closes the WebSocket deliberately (no reconnect); `forget` also unpins the server. */
  stop(forget: boolean): void {
    this.signalling?.stop();
    this.signalling = null;
    if (forget) prefs.setPinnedServer(null);
  }

  rename(pref: Preference): void {
    const next = { ...this.store.get().preference, ...pref };
    prefs.savePreference(next);
    this.store.set({ preference: next });
    const np: Preference = {};
    if (pref.name !== undefined) np.name = pref.name;
    if (pref.indexOfPreferColor !== undefined) np.indexOfPreferColor = pref.indexOfPreferColor;
    this.signalling?.send({ rename: { new_preference: np, origin_node_name: this.store.get().ownName ?? '' } });
  }

  /** How a new peer connection is set up: static ICE servers, fresh TURN credentials, certificate. */
  peerConfig(): PeerConfig {
    const server = this.server;
    const source = this.iceSource;
    return {
      iceServers: server ? iceServersOf(server) : [],
      freshIceServers: source ? () => source.get() : undefined,
      certificates: this.certificate ? [this.certificate] : undefined,
    };
  }

  private registerFrame(): Envelope {
    const s = this.store.get();
    const attributes: Record<string, string> = { support_attachment: 'true', negotiation: 'perfect' };
    const c = s.preference.indexOfPreferColor;
    if (c !== undefined) attributes.preferred_color = String(c);
    const signedIn = s.account.status === 'signed-in';
    return { register: { node_name: signedIn ? '' : s.preference.name ?? '' }, attributes_announcement: { attributes } };
  }

  private onRegistered(id: string, name: string): void {
    const previous = this.store.get().ownId;
    if (previous && previous !== id) this.host.newNodeId(); // a reconnect: old connections end cleanly
    this.store.set({ ownId: id, ownName: name });
    this.host.registered();
  }
}

// The peer connections of this node: one PeerSession per peer, created when we offer or when the
// peer's offer arrives, and the SDP and ICE relayed by the signalling server routed to them
// (PROTOCOL.md §2.5, §6). The sessions' events are re-emitted with the peer's node id, so the
// store listens to one emitter however many peers come and go.
import { Emitter } from '../lib/emitter';
import { isPoliteToward } from '../protocol/negotiationRole';
import type { IcePayload, SdpPayload } from '../protocol/envelope';
import { PeerSession, type PeerConfig, type PeerDiagnostics, type PeerSessionEvents, type SignalSink } from './PeerSession';

type Forwarded = Omit<PeerSessionEvents, 'closed'>;
type CloseReason = PeerSessionEvents['closed'][0];

export type PeerMeshEvents = { [K in keyof Forwarded]: [nodeId: string, ...Forwarded[K]] } & {
  /** a session ended; `last` is its final diagnostics */
  closed: [nodeId: string, reason: CloseReason, last: PeerDiagnostics];
};

/** What the mesh needs of the signalling client: relayed descriptions and candidates, both ways. */
export interface MeshSignalling {
  on(event: 'sdp', h: (p: SdpPayload) => void): () => void;
  on(event: 'ice', h: (p: IcePayload) => void): () => void;
  sendSdp(to: string, desc: RTCSessionDescriptionInit): boolean;
  sendIce(to: string, c: RTCIceCandidateInit): boolean;
}

/** What the mesh needs to know about this node and its peers. */
export interface MeshHost {
  /** our node id (we are registered whenever a session is made) */
  ownId(): string | undefined;
  /** the peer's announced attributes (`negotiation` decides who is polite, §6.3) */
  attributesOf(nodeId: string): Record<string, string> | undefined;
  /** ICE servers, fresh TURN credentials and the certificate for a new connection */
  config(): PeerConfig;
}

export type SessionFactory = (ownId: string, peerId: string, polite: boolean, config: PeerConfig, signal: SignalSink) => PeerSession;

const newSession: SessionFactory = (ownId, peerId, polite, config, signal) => new PeerSession(ownId, peerId, polite, config, signal);

export class PeerMesh extends Emitter<PeerMeshEvents> {
  /** open sessions by the peer's node id (read by the end-to-end tests and the benchmark) */
  readonly sessions = new Map<string, PeerSession>();
  /** performance.now() when each peer's chat channel first opened (read by the benchmark) */
  readonly chatOpenTimes = new Map<string, number>();
  private signalling: MeshSignalling | null = null;
  private detach: (() => void)[] = [];

  constructor(private readonly host: MeshHost, private readonly create: SessionFactory = newSession) {
    super();
  }

  /** Routes the relayed SDP and ICE of this signalling client (a new one for each connect). */
  attach(sig: MeshSignalling | null): void {
    for (const off of this.detach) off();
    this.signalling = sig;
    this.detach = sig ? [sig.on('sdp', (p) => this.onSdp(p)), sig.on('ice', (p) => this.onIce(p))] : [];
  }

  get(nodeId: string): PeerSession | undefined {
    return this.sessions.get(nodeId);
  }

  /** The peer's open session, or a new one (which sends nothing until it offers or is offered). */
  ensure(nodeId: string): PeerSession {
    const existing = this.sessions.get(nodeId);
    if (existing && !existing.isClosed) return existing;
    const ownId = this.host.ownId()!;
    const sig = this.signalling!;
    const polite = isPoliteToward(ownId, nodeId, this.host.attributesOf(nodeId));
    const s = this.create(ownId, nodeId, polite, this.host.config(), {
      sdp: (d) => sig.sendSdp(nodeId, d),
      ice: (c) => sig.sendIce(nodeId, c),
    });
    this.sessions.set(nodeId, s);
    s.on('chat', (m) => this.emit('chat', nodeId, m));
    s.on('chatOpen', () => {
      if (!this.chatOpenTimes.has(nodeId)) this.chatOpenTimes.set(nodeId, performance.now());
      this.emit('chatOpen', nodeId);
    });
    s.on('fileChannel', (dc) => this.emit('fileChannel', nodeId, dc));
    s.on('patch', (p) => this.emit('patch', nodeId, p));
    s.on('diagnostics', (d) => this.emit('diagnostics', nodeId, d));
    s.on('identified', (fp) => this.emit('identified', nodeId, fp));
    s.on('secured', (own, peer) => this.emit('secured', nodeId, own, peer));
    s.on('track', (t, stream) => this.emit('track', nodeId, t, stream));
    s.on('closed', (reason) => {
      if (this.sessions.get(nodeId) === s) this.sessions.delete(nodeId);
      this.emit('closed', nodeId, reason, s.diag);
    });
    return s;
  }

  /** Closes the peer's connection cleanly (§6.6). */
  close(nodeId: string): void {
    const s = this.sessions.get(nodeId);
    this.sessions.delete(nodeId);
    s?.close();
  }

  closeAll(): void {
    for (const s of [...this.sessions.values()]) s.close();
    this.sessions.clear();
  }

  /** A description for us: an offer makes a session if needed, an answer needs one (§2.5.5). */
  private onSdp(p: SdpPayload): void {
    if (p.to_node_id !== this.host.ownId()) return;
    let desc: RTCSessionDescriptionInit;
    try { desc = JSON.parse(p.offer_json); } catch { return; }
    if (typeof desc !== 'object' || desc === null || typeof desc.sdp !== 'string') return;
    desc = { type: p.type as RTCSdpType, sdp: desc.sdp }; // act on the envelope type (§2.5.5)
    if (desc.type !== 'offer' && desc.type !== 'answer') return;
    const s = desc.type === 'offer' ? this.ensure(p.from_node_id) : this.sessions.get(p.from_node_id);
    s?.handleSdp(desc);
  }

  /** A candidate for us; one from a peer without a session is dropped (§6.4). */
  private onIce(p: IcePayload): void {
    if (p.to_node_id !== this.host.ownId()) return;
    let c: RTCIceCandidateInit;
    try { c = JSON.parse(p.offer_json); } catch { return; }
    if (typeof c !== 'object' || c === null || typeof c.candidate !== 'string') return;
    this.sessions.get(p.from_node_id)?.handleIce(c);
  }
}

// One RTCPeerConnection per peer (PROTOCOL.md §6, §7): perfect negotiation, ICE restart, the chat
// and ping channels, incoming file and msgpatch channels, audio tracks, and connection stats.
import { Emitter } from '../lib/emitter';
import { PerfectNegotiator } from './PerfectNegotiator';
import { effectiveIceState, IceRestartPolicy } from './iceRestart';
import { CHAT, FILE, MAX_INCOMING_TEXT, MSGPATCH, PING, messageData, pickChannel } from './channels';
import { buildPing, chatMessageFromObject, encodeChatMessage, type ChatMessage } from '../protocol/chatMessage';
import { decodePatch, type PatchOrder } from '../protocol/msgpatch';
import { sdpFingerprint } from '../protocol/sdpFingerprint';

export interface PeerDiagnostics {
  connectionState: RTCPeerConnectionState;
  iceState: RTCIceConnectionState;
  candidateType?: string;
  dcRttMs?: number;
  pairRttMs?: number;
  restarts: number;
}

export type PeerSessionEvents = {
  chat: [ChatMessage];
  chatOpen: [];
  fileChannel: [RTCDataChannel];
  patch: [PatchOrder];
  track: [MediaStreamTrack, MediaStream];
  diagnostics: [PeerDiagnostics];
  /** the peer's DTLS certificate fingerprint, from the first remote description applied */
  identified: [fingerprint: string];
  /** DTLS connected: the fingerprints of both applied descriptions (the safety number's input) */
  secured: [ownFingerprint: string, peerFingerprint: string];
  closed: [reason: 'closed' | 'unreachable' | 'failed'];
};

export interface SignalSink {
  sdp(desc: RTCSessionDescriptionInit): void;
  ice(c: RTCIceCandidateInit): void;
}

export interface PeerConfig {
  /** the server entry's static ICE servers */
  iceServers: RTCIceServer[];
  /** fresh TURN credentials before each local description (cached by their lifetime), or null */
  freshIceServers?: () => Promise<RTCIceServer[] | null>;
  /** this browser's persistent DTLS certificate (the identity peers see) */
  certificates?: RTCCertificate[];
}

const PING_INTERVAL_MS = 1000;
const PING_FORGET_MS = 3000;
const STATS_INTERVAL_MS = 2000;
const FAILED_CLOSE_MS = 30_000;

export class PeerSession extends Emitter<PeerSessionEvents> {
  readonly pc: RTCPeerConnection;
  private readonly negotiator: PerfectNegotiator;
  private readonly restartPolicy: IceRestartPolicy;
  private ownChat: RTCDataChannel[] = [];
  private incomingChat = false;
  private openedChat: RTCDataChannel[] = [];
  private pingSent = new Map<number, number>();
  private pingSeq = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  private failedTimer: ReturnType<typeof setTimeout> | undefined;
  private ackWaiters = new Map<string, () => void>();
  private closed = false;
  private appliedIce: RTCIceServer[] | null = null;
  /** the peer's DTLS fingerprint once a remote description has been applied */
  remoteFingerprint: string | null = null;
  private securedWith = '';
  diag: PeerDiagnostics;

  constructor(
    readonly ownId: string,
    readonly peerId: string,
    readonly polite: boolean,
    private readonly config: PeerConfig,
    private readonly signal: SignalSink,
  ) {
    super();
    const init: RTCConfiguration = { iceServers: config.iceServers };
    if (config.certificates?.length) init.certificates = config.certificates;
    this.pc = new RTCPeerConnection(init);
    this.diag = { connectionState: this.pc.connectionState, iceState: this.pc.iceConnectionState, restarts: 0 };
    this.negotiator = new PerfectNegotiator(
      this.pc, polite, (d) => this.signal.sdp(d), (m, e) => this.debug(m, e),
      () => this.prepareLocal(),
    );
    this.restartPolicy = new IceRestartPolicy(
      () => { this.diag.restarts++; this.pc.restartIce(); },
      () => this.close('unreachable'),
    );
    this.pc.onnegotiationneeded = () => void this.negotiator.onNegotiationNeeded();
    this.pc.onicecandidate = (ev) => { if (ev.candidate?.candidate) this.signal.ice(ev.candidate.toJSON()); };
    this.pc.ondatachannel = (ev) => this.adoptChannel(ev.channel, false);
    this.pc.ontrack = (ev) => {
      if (ev.track.kind !== 'audio') return; // non-audio tracks are ignored (§8.1)
      this.emit('track', ev.track, ev.streams[0] ?? new MediaStream([ev.track]));
    };
    this.pc.oniceconnectionstatechange = () => {
      this.restartPolicy.onIceState(effectiveIceState(this.pc.iceConnectionState, this.pc.connectionState));
      this.updateDiag({ iceState: this.pc.iceConnectionState });
    };
    this.pc.onconnectionstatechange = () => this.onConnectionState();
    this.timers.push(setInterval(() => void this.pollStats(), STATS_INTERVAL_MS));
  }

  /** The offering side creates `chat` then `ping`; negotiationneeded then sends the offer (§6.1). */
  initiate(): void {
    // The answerer of an existing connection already has the peer's channels: no duplicates.
    if (this.ownChat.length || this.incomingChat) return;
    const chat = this.pc.createDataChannel(CHAT);
    this.ownChat.push(chat);
    this.adoptChannel(chat, true);
    this.adoptChannel(this.pc.createDataChannel(PING), true);
  }

  get chatOpen(): boolean { return pickChannel(this.ownChat, this.openedChat) !== null; }

  get maxMessageSize(): number {
    const m = this.pc.sctp?.maxMessageSize;
    return m && Number.isFinite(m) && m > 0 ? m : 16384;
  }

  handleSdp(desc: RTCSessionDescriptionInit): void {
    void this.negotiator.handleDescription(desc).then((outcome) => {
      this.debug(`remote ${desc.type}: ${outcome}, signalling ${this.pc.signalingState}`);
      if (outcome !== 'applied' || this.remoteFingerprint || this.closed) return;
      const fp = sdpFingerprint(this.pc.remoteDescription?.sdp);
      if (!fp) return;
      this.remoteFingerprint = fp;
      this.emit('identified', fp);
    });
  }

  /**
   * Before each local description (offer, answer, ICE restart): the TURN credentials of the
   * iceServersEndpoint, fetched fresh unless the cached ones are young enough (§10.1, §3.11).
   */
  private async prepareLocal(): Promise<void> {
    if (!this.config.freshIceServers || this.closed) return;
    const fresh = await this.config.freshIceServers();
    if (!fresh || fresh === this.appliedIce || this.closed) return;
    this.appliedIce = fresh;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers: [...fresh, ...this.config.iceServers] });
    } catch (e) {
      this.debug('setConfiguration failed', e);
    }
  }
  handleIce(c: RTCIceCandidateInit): void { void this.negotiator.handleCandidate(c); }

  /** Sends on the preferred open chat channel; false when none is open or the message is too big. */
  sendChat(m: ChatMessage): boolean {
    const ch = pickChannel(this.ownChat, this.openedChat);
    const text = encodeChatMessage(m, this.maxMessageSize);
    if (!ch || text === null) return false;
    try {
      ch.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves true when an ACK for `messageId` arrives, false after `timeoutMs`. */
  waitForAck(messageId: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.ackWaiters.delete(messageId); resolve(false); }, timeoutMs);
      this.ackWaiters.set(messageId, () => { clearTimeout(t); resolve(true); });
    });
  }

  createFileChannel(): RTCDataChannel {
    const dc = this.pc.createDataChannel(FILE);
    dc.binaryType = 'arraybuffer';
    return dc;
  }

  close(reason: 'closed' | 'unreachable' | 'failed' = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.timers.forEach(clearInterval);
    clearTimeout(this.failedTimer);
    this.restartPolicy.dispose();
    this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.ondatachannel = null;
    this.pc.oniceconnectionstatechange = this.pc.onconnectionstatechange = this.pc.ontrack = null;
    try { this.pc.close(); } catch { /* already closed */ }
    this.emit('closed', reason);
  }

  get isClosed(): boolean { return this.closed; }

  private debug(msg: string, e?: unknown): void {
    console.debug(`[peer ${this.peerId.slice(0, 8)}] ${msg}`, ...(e === undefined ? [] : [e]));
  }

  private adoptChannel(dc: RTCDataChannel, own: boolean): void {
    dc.binaryType = 'arraybuffer';
    switch (dc.label) {
      case CHAT:
        if (!own) this.incomingChat = true;
        dc.onopen = () => { this.debug(`chat channel open (${own ? 'own' : 'peer\'s'})`); this.openedChat.push(dc); this.emit('chatOpen'); };
        dc.onclose = () => { this.openedChat = this.openedChat.filter((c) => c !== dc); };
        dc.onmessage = (ev) => void this.onChatData(ev.data);
        if (dc.readyState === 'open') { this.openedChat.push(dc); queueMicrotask(() => this.emit('chatOpen')); }
        break;
      case PING:
        dc.onmessage = (ev) => void this.onPingData(dc, ev.data);
        if (own) {
          dc.onopen = () => this.startPinging(dc);
          if (dc.readyState === 'open') this.startPinging(dc);
        }
        break;
      case FILE:
        this.emit('fileChannel', dc);
        break;
      case MSGPATCH:
        dc.onmessage = async (ev) => {
          const data = await messageData(ev.data);
          if (!(data instanceof ArrayBuffer) || data.byteLength > 140_000) return;
          const order = decodePatch(data);
          if (order) this.emit('patch', order);
        };
        break;
      default:
        // Unknown labels are ignored (§7.1).
        break;
    }
  }

  private async onChatData(raw: unknown): Promise<void> {
    const data = await messageData(raw);
    if (typeof data !== 'string' || data.length > MAX_INCOMING_TEXT) return;
    let obj: unknown;
    try { obj = JSON.parse(data); } catch { return; }
    const m = chatMessageFromObject(obj);
    if (!m) return;
    if (m.ack) {
      const waiter = this.ackWaiters.get(m.ack.messageId);
      if (waiter) { this.ackWaiters.delete(m.ack.messageId); waiter(); }
    }
    this.emit('chat', m);
  }

  private startPinging(dc: RTCDataChannel): void {
    const route = { from: this.ownId, to: this.peerId };
    const timer = setInterval(() => {
      if (dc.readyState !== 'open') { clearInterval(timer); return; }
      const seq = this.pingSeq++;
      const now = Date.now();
      this.pingSent.set(seq, now);
      for (const [s, t] of this.pingSent) if (now - t > PING_FORGET_MS) this.pingSent.delete(s);
      try { dc.send(JSON.stringify(buildPing(route, 'ping', seq))); } catch { /* closing */ }
    }, PING_INTERVAL_MS);
    this.timers.push(timer);
  }

  private async onPingData(dc: RTCDataChannel, raw: unknown): Promise<void> {
    const data = await messageData(raw);
    if (typeof data !== 'string' || data.length > 4096) return;
    let obj: unknown;
    try { obj = JSON.parse(data); } catch { return; }
    const m = chatMessageFromObject(obj);
    if (!m?.ping) return;
    if (m.ping.direction === 'ping') {
      try { dc.send(JSON.stringify(buildPing({ from: this.ownId, to: this.peerId }, 'pong', m.ping.seq))); } catch { /* closing */ }
    } else {
      const sent = this.pingSent.get(m.ping.seq);
      if (sent === undefined) return; // forgotten: counts as a timeout
      this.pingSent.delete(m.ping.seq);
      this.updateDiag({ dcRttMs: Date.now() - sent });
    }
  }

  private onConnectionState(): void {
    const s = this.pc.connectionState;
    this.debug(`connection ${s}, ice ${this.pc.iceConnectionState}`);
    this.restartPolicy.onIceState(effectiveIceState(this.pc.iceConnectionState, s));
    this.updateDiag({ connectionState: s });
    if (s === 'connected') this.reportSecured();
    // Without `offline` (original server) a connection failed for 30 s, or closed, is dropped (§6.6).
    if (s === 'failed' && !this.failedTimer) {
      this.failedTimer = setTimeout(() => { if (this.pc.connectionState === 'failed') this.close('failed'); }, FAILED_CLOSE_MS);
    } else if (s !== 'failed') {
      clearTimeout(this.failedTimer);
      this.failedTimer = undefined;
    }
    if (s === 'closed') this.close('closed');
  }

  /** The certificates DTLS was checked against: those of the current (applied) descriptions. */
  private reportSecured(): void {
    const own = sdpFingerprint(this.pc.currentLocalDescription?.sdp);
    const peer = sdpFingerprint(this.pc.currentRemoteDescription?.sdp);
    if (!own || !peer || this.securedWith === `${own} ${peer}`) return;
    this.securedWith = `${own} ${peer}`;
    this.emit('secured', own, peer);
  }

  private updateDiag(patch: Partial<PeerDiagnostics>): void {
    this.diag = { ...this.diag, ...patch };
    this.emit('diagnostics', this.diag);
  }

  private async pollStats(): Promise<void> {
    if (this.closed || this.pc.connectionState === 'new') return;
    try {
      const stats = await this.pc.getStats();
      let pairId: string | undefined;
      stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
      let pair: RTCIceCandidatePairStats | undefined;
      stats.forEach((s) => {
        if (s.type !== 'candidate-pair') return;
        if (pairId ? s.id === pairId : (s.nominated && s.state === 'succeeded')) pair = s as RTCIceCandidatePairStats;
      });
      if (!pair) return;
      const local = stats.get(pair.localCandidateId) as { candidateType?: string } | undefined;
      const rtt = pair.currentRoundTripTime;
      this.updateDiag({ candidateType: local?.candidateType, pairRttMs: rtt !== undefined ? Math.round(rtt * 1000) : undefined });
    } catch { /* closed meanwhile */ }
  }
}

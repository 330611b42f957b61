// The signalling WebSocket (PROTOCOL.md §2): one register+attributes frame on open, echo pings
// every 5 s (RTT), typed events for presence and relayed offers, reconnect with backoff.
import { Emitter } from '../lib/emitter';
import { reconnectDelayMs } from './backoff';
import { decodeEnvelope, encodeEnvelope, type Envelope, type ErrorPayload, type IcePayload, type RenamePayload, type SdpPayload } from '../protocol/envelope';
import { randomUuid } from '../lib/randomId';

export type SignallingStatus = 'connecting' | 'open' | 'registered' | 'reconnecting' | 'closed';

export type SignallingEvents = {
  status: [SignallingStatus, { retryInMs?: number }];
  registered: [nodeId: string, name: string];
  online: [nodeId: string];
  offline: [nodeId: string];
  rename: [RenamePayload];
  sdp: [SdpPayload];
  ice: [IcePayload];
  rtt: [ms: number];
  /** the first pong: the original client refreshes /conns on it */
  firstPong: [];
  serverError: [ErrorPayload];
};

const PING_MS = 5000;

export class SignallingClient extends Emitter<SignallingEvents> {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private seq = 0;
  private readonly correlationId = randomUuid();
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private _nodeId: string | null = null;
  private _turnTicket: string | null = null;
  private _status: SignallingStatus = 'closed';

  constructor(private readonly url: string, private readonly registerFrame: () => Envelope) {
    super();
  }

  get nodeId(): string | null { return this._nodeId; }
  /** The register reply's `turn_ticket` (docs/PROTOCOL-EXTENSIONS.md): sent with /ice-servers requests. */
  get turnTicket(): string | null { return this._turnTicket; }
  get status(): SignallingStatus { return this._status; }

  start(): void {
    this.stopped = false;
    this.open();
  }

  /** Closes deliberately: no reconnect. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.teardown();
    this.setStatus('closed');
  }

  send(frame: Envelope): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(encodeEnvelope(frame));
    return true;
  }

  sendSdp(to: string, desc: RTCSessionDescriptionInit): boolean {
    if (!this._nodeId || (desc.type !== 'offer' && desc.type !== 'answer')) return false;
    return this.send({ sdp_offer: { type: desc.type, offer_json: JSON.stringify({ type: desc.type, sdp: desc.sdp }), from_node_id: this._nodeId, to_node_id: to } });
  }

  sendIce(to: string, c: RTCIceCandidateInit): boolean {
    if (!this._nodeId || !c.candidate) return false; // never send end-of-candidates (§2.5.6)
    return this.send({ ice_offer: { offer_json: JSON.stringify(c), from_node_id: this._nodeId, to_node_id: to } });
  }

  private setStatus(s: SignallingStatus, info: { retryInMs?: number } = {}): void {
    this._status = s;
    this.emit('status', s, info);
  }

  private open(): void {
    this.teardown();
    this.setStatus('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.setStatus('open');
      ws.send(encodeEnvelope(this.registerFrame()));
      this.seq = 0;
      this.ping();
      this.pingTimer = setInterval(() => this.ping(), PING_MS);
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') this.handle(ev.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.teardown();
      if (!this.stopped) this.scheduleRetry();
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  private teardown(): void {
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    this._nodeId = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
    }
  }

  private scheduleRetry(): void {
    const delay = reconnectDelayMs(this.attempt++);
    this.setStatus('reconnecting', { retryInMs: delay });
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private ping(): void {
    this.send({ echo: { direction: 'ping', correlation_id: this.correlationId, server_timestamp: 0, timestamp: Date.now(), seq_id: this.seq++ } });
  }

  private handle(text: string): void {
    const r = decodeEnvelope(text);
    if (!r.ok) return; // garbage from the server is ignored
    const f = r.frame;
    // Adopt our id only from a frame carrying both node_id and register (§2.3).
    if (f.online) this.emit('online', f.online.node_id);
    if (f.node_id && f.register) {
      this._nodeId = f.node_id;
      this._turnTicket = f.turn_ticket ?? null;
      this.attempt = 0;
      this.setStatus('registered');
      this.emit('registered', f.node_id, f.register.node_name);
    }
    if (f.echo && f.echo.direction === 'pong' && f.echo.correlation_id === this.correlationId) {
      this.emit('rtt', Math.max(0, Date.now() - f.echo.timestamp));
      if (f.echo.seq_id === 0) this.emit('firstPong');
    }
    if (f.rename) this.emit('rename', f.rename);
    if (f.offline) this.emit('offline', f.offline.node_id);
    if (f.sdp_offer && f.sdp_offer.to_node_id === this._nodeId) this.emit('sdp', f.sdp_offer);
    if (f.ice_offer && f.ice_offer.to_node_id === this._nodeId) this.emit('ice', f.ice_offer);
    if (f.error) this.emit('serverError', f.error);
  }
}

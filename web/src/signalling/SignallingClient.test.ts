import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignallingClient } from './SignallingClient';

/** A fake WebSocket: records sent frames and lets the test deliver server frames. */
class FakeWs {
  static CONNECTING = 0; static OPEN = 1; static CLOSING = 2; static CLOSED = 3;
  static all: FakeWs[] = [];
  readyState = FakeWs.CONNECTING;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) { FakeWs.all.push(this); }
  send(text: string) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = FakeWs.CLOSED; }
  open() { this.readyState = FakeWs.OPEN; this.onopen?.(); }
  serverSends(frame: unknown) { this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) }); }
  serverCloses() { this.readyState = FakeWs.CLOSED; this.onclose?.(); }
}

beforeEach(() => {
  FakeWs.all = [];
  vi.stubGlobal('WebSocket', FakeWs);
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const REGISTER = { register: { node_name: 'alice' }, attributes_announcement: { attributes: { support_attachment: 'true', negotiation: 'perfect' } } };

function client() {
  const c = new SignallingClient('ws://x/ws', () => REGISTER);
  const events: string[] = [];
  c.on('status', (s) => events.push(`status:${s}`));
  c.on('registered', (id, name) => events.push(`registered:${id}:${name}`));
  c.on('sdp', (p) => events.push(`sdp:${p.from_node_id}`));
  c.on('offline', (id) => events.push(`offline:${id}`));
  c.start();
  return { c, events, ws: () => FakeWs.all.at(-1)! };
}

describe('SignallingClient', () => {
  it('sends one register+attributes frame on open, then echo pings every 5 s', () => {
    const { ws } = client();
    ws().open();
    expect(ws().sent[0]).toEqual(REGISTER);
    expect(ws().sent[1]).toMatchObject({ echo: { direction: 'ping', server_timestamp: 0, seq_id: 0 } });
    vi.advanceTimersByTime(5000);
    expect(ws().sent[2]).toMatchObject({ echo: { direction: 'ping', seq_id: 1 } });
  });

  it('adopts its node id only from a frame with node_id and register', () => {
    const { c, ws, events } = client();
    ws().open();
    ws().serverSends({ node_id: 'evil', echo: { direction: 'pong', correlation_id: 'x', server_timestamp: 1, timestamp: 1, seq_id: 0 } });
    expect(c.nodeId).toBeNull();
    ws().serverSends({ node_id: 'me', register: { node_name: 'alice' } });
    expect(c.nodeId).toBe('me');
    expect(events).toContain('registered:me:alice');
    expect(c.turnTicket).toBeNull();
  });

  it("keeps the register reply's turn_ticket for /ice-servers, and drops it with the next registration", () => {
    const { c, ws } = client();
    ws().open();
    ws().serverSends({ node_id: 'me', register: { node_name: 'alice' }, turn_ticket: 'me.abc' });
    expect(c.turnTicket).toBe('me.abc');
    ws().serverSends({ node_id: 'me', register: { node_name: 'alice2' }, turn_ticket: 7 });
    expect(c.turnTicket).toBeNull();
  });

  it('ignores garbage and offers addressed to someone else', () => {
    const { ws, events } = client();
    ws().open();
    ws().serverSends({ node_id: 'me', register: { node_name: 'alice' } });
    ws().serverSends('not json');
    ws().serverSends({ register: 5 });
    ws().serverSends({ sdp_offer: { type: 'offer', offer_json: '{}', from_node_id: 'p', to_node_id: 'other' } });
    ws().serverSends({ sdp_offer: { type: 'offer', offer_json: '{}', from_node_id: 'p', to_node_id: 'me' } });
    ws().serverSends({ offline: { node_id: 'p' } });
    expect(events.filter((e) => e.startsWith('sdp'))).toEqual(['sdp:p']);
    expect(events).toContain('offline:p');
  });

  it('never sends end-of-candidates and fills from_node_id', () => {
    const { c, ws } = client();
    ws().open();
    ws().serverSends({ node_id: 'me', register: { node_name: 'alice' } });
    expect(c.sendIce('p', { candidate: '' })).toBe(false);
    expect(c.sendIce('p', { candidate: 'candidate:1 1 udp 1 127.0.0.1 1 typ host', sdpMid: '0', sdpMLineIndex: 0 })).toBe(true);
    expect(ws().sent.at(-1)).toMatchObject({ ice_offer: { from_node_id: 'me', to_node_id: 'p' } });
  });

  it('reconnects with backoff after the server goes away, and not after stop()', () => {
    const { c, ws, events } = client();
    ws().open();
    ws().serverCloses();
    expect(events.at(-1)).toBe('status:reconnecting');
    const before = FakeWs.all.length;
    vi.advanceTimersByTime(1200); // first delay is 1 s ± 20 %
    expect(FakeWs.all.length).toBe(before + 1);
    c.stop();
    ws().serverCloses();
    vi.advanceTimersByTime(60_000);
    expect(FakeWs.all.length).toBe(before + 1);
  });
});

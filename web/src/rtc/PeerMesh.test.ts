// The mesh routes relayed SDP and ICE to the right peer's session, and re-emits the sessions'
// events with the peer's node id. Sessions and the signalling client are stand-ins.
import { describe, expect, it } from 'vitest';
import { Emitter } from '../lib/emitter';
import type { IcePayload, SdpPayload } from '../protocol/envelope';
import { PeerMesh, type MeshSignalling, type SessionFactory } from './PeerMesh';
import type { PeerDiagnostics, PeerSession, PeerSessionEvents, SignalSink } from './PeerSession';

class FakeSession extends Emitter<PeerSessionEvents> {
  sdp: RTCSessionDescriptionInit[] = [];
  ice: RTCIceCandidateInit[] = [];
  isClosed = false;
  diag: PeerDiagnostics = { connectionState: 'connected', iceState: 'connected', restarts: 0 };
  constructor(readonly peerId: string, readonly polite: boolean, readonly signal: SignalSink) { super(); }
  handleSdp(d: RTCSessionDescriptionInit) { this.sdp.push(d); }
  handleIce(c: RTCIceCandidateInit) { this.ice.push(c); }
  close(reason: PeerSessionEvents['closed'][0] = 'closed') { if (this.isClosed) return; this.isClosed = true; this.emit('closed', reason); }
  fire<K extends keyof PeerSessionEvents>(k: K, ...a: PeerSessionEvents[K]) { this.emit(k, ...a); }
}

class FakeSignalling extends Emitter<{ sdp: [SdpPayload]; ice: [IcePayload] }> implements MeshSignalling {
  sent: { to: string; sdp?: RTCSessionDescriptionInit; ice?: RTCIceCandidateInit }[] = [];
  sendSdp(to: string, sdp: RTCSessionDescriptionInit) { this.sent.push({ to, sdp }); return true; }
  sendIce(to: string, ice: RTCIceCandidateInit) { this.sent.push({ to, ice }); return true; }
  fire<K extends 'sdp' | 'ice'>(k: K, p: K extends 'sdp' ? SdpPayload : IcePayload) { (this.emit as (k: string, p: unknown) => void)(k, p); }
}

const ME = 'me-node';
const offer = (from: string, to = ME, sdp = 'v=0 offer'): SdpPayload => ({ type: 'offer', offer_json: JSON.stringify({ type: 'offer', sdp }), from_node_id: from, to_node_id: to });
const answer = (from: string, to = ME): SdpPayload => ({ type: 'answer', offer_json: JSON.stringify({ type: 'answer', sdp: 'v=0 answer' }), from_node_id: from, to_node_id: to });
const ice = (from: string, to = ME, candidate = 'candidate:1 1 udp 1 10.0.0.1 9 typ host'): IcePayload => ({ offer_json: JSON.stringify({ candidate, sdpMid: '0' }), from_node_id: from, to_node_id: to });

function setup(attributes: Record<string, Record<string, string>> = {}) {
  const made: FakeSession[] = [];
  const factory: SessionFactory = (_own, peer, polite, _config, signal) => {
    const s = new FakeSession(peer, polite, signal);
    made.push(s);
    return s as unknown as PeerSession;
  };
  const mesh = new PeerMesh({ ownId: () => ME, attributesOf: (id) => attributes[id], config: () => ({ iceServers: [] }) }, factory);
  const sig = new FakeSignalling();
  mesh.attach(sig);
  const session = (id: string) => made.find((s) => s.peerId === id && !s.isClosed);
  return { mesh, sig, made, session };
}

describe('PeerMesh', () => {
  it('makes a session for an offer and routes later answers and candidates to it', () => {
    const { sig, made, session } = setup();
    sig.fire('sdp', offer('alice'));
    sig.fire('sdp', offer('bob'));
    expect(made.map((s) => s.peerId)).toEqual(['alice', 'bob']);
    sig.fire('ice', ice('bob'));
    sig.fire('sdp', answer('alice'));
    expect(session('alice')!.sdp).toEqual([{ type: 'offer', sdp: 'v=0 offer' }, { type: 'answer', sdp: 'v=0 answer' }]);
    expect(session('alice')!.ice).toEqual([]);
    expect(session('bob')!.sdp).toEqual([{ type: 'offer', sdp: 'v=0 offer' }]);
    expect(session('bob')!.ice).toEqual([{ candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0' }]);
  });

  it('ignores frames addressed to another node', () => {
    const { sig, made, mesh } = setup();
    sig.fire('sdp', offer('alice', 'someone-else'));
    expect(made).toEqual([]);
    mesh.ensure('alice');
    sig.fire('sdp', answer('alice', 'someone-else'));
    sig.fire('ice', ice('alice', 'someone-else'));
    expect(made[0].sdp).toEqual([]);
    expect(made[0].ice).toEqual([]);
  });

  it('drops answers and candidates from peers without a session, and malformed frames', () => {
    const { sig, made, session } = setup();
    sig.fire('sdp', answer('carol'));
    sig.fire('ice', ice('carol'));
    expect(made).toEqual([]);
    sig.fire('sdp', { ...offer('dave'), offer_json: '{not json' });
    sig.fire('sdp', { ...offer('dave'), offer_json: JSON.stringify({ type: 'offer' }) });
    sig.fire('sdp', { ...offer('dave'), type: 'pranswer' });
    expect(made).toEqual([]);
    sig.fire('sdp', offer('dave'));
    sig.fire('ice', { ...ice('dave'), offer_json: JSON.stringify({ sdpMid: '0' }) });
    expect(session('dave')!.ice).toEqual([]);
  });

  it('acts on the envelope type, not the type inside offer_json', () => {
    const { sig, session } = setup();
    sig.fire('sdp', { ...offer('erin'), offer_json: JSON.stringify({ type: 'answer', sdp: 'v=0 x' }) });
    expect(session('erin')!.sdp).toEqual([{ type: 'offer', sdp: 'v=0 x' }]);
  });

  it('sends a session\'s descriptions and candidates to its peer, polite per its attributes', () => {
    const { mesh, sig, made } = setup({ web: { support_attachment: 'true' } });
    mesh.ensure('bot');
    mesh.ensure('web');
    expect(made.map((s) => s.polite)).toEqual([true, false]); // polite toward a bot, impolite toward an original web client (§6.3)
    made[0].signal.sdp({ type: 'offer', sdp: 'v=0' });
    made[0].signal.ice({ candidate: 'c' });
    expect(sig.sent).toEqual([{ to: 'bot', sdp: { type: 'offer', sdp: 'v=0' } }, { to: 'bot', ice: { candidate: 'c' } }]);
  });

  it('keeps one session per peer until it closes, and re-emits events with the node id', () => {
    const { mesh, made } = setup();
    const a = mesh.ensure('alice');
    expect(mesh.ensure('alice')).toBe(a);
    const seen: unknown[] = [];
    mesh.on('chatOpen', (id) => seen.push(['chatOpen', id]));
    mesh.on('identified', (id, fp) => seen.push(['identified', id, fp]));
    mesh.on('closed', (id, reason, last) => seen.push(['closed', id, reason, last.connectionState]));
    made[0].fire('chatOpen');
    made[0].fire('identified', 'AB:CD');
    expect(mesh.chatOpenTimes.has('alice')).toBe(true);
    made[0].close('unreachable');
    expect(seen).toEqual([['chatOpen', 'alice'], ['identified', 'alice', 'AB:CD'], ['closed', 'alice', 'unreachable', 'connected']]);
    expect(mesh.get('alice')).toBeUndefined();
    expect(mesh.ensure('alice')).not.toBe(a);
  });

  it('stops routing from a detached signalling client', () => {
    const { mesh, sig, made } = setup();
    const next = new FakeSignalling();
    mesh.attach(next);
    sig.fire('sdp', offer('alice'));
    expect(made).toEqual([]);
    next.fire('sdp', offer('alice'));
    expect(made.length).toBe(1);
    mesh.closeAll();
    expect(made[0].isClosed).toBe(true);
    expect(mesh.sessions.size).toBe(0);
  });
});

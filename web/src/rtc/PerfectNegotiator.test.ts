import { describe, expect, it } from 'vitest';
import { PerfectNegotiator, type NegotiablePc } from './PerfectNegotiator';

/** A fake peer connection with the signalling-state machine of JSEP, enough for negotiation logic. */
class FakePc implements NegotiablePc {
  signalingState: RTCSignalingState = 'stable';
  remoteDescription: RTCSessionDescriptionInit | null = null;
  localDescription: RTCSessionDescriptionInit | null = null;
  candidates: RTCIceCandidateInit[] = [];
  log: string[] = [];
  async setLocalDescription(d?: RTCSessionDescriptionInit) {
    const type = d?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    this.localDescription = { type, sdp: `local-${type}` };
    this.signalingState = type === 'offer' ? 'have-local-offer' : 'stable';
    this.log.push(`local:${type}`);
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    if (d.type === 'offer') {
      if (this.signalingState === 'have-local-offer') this.log.push('rollback');
      this.signalingState = 'have-remote-offer';
    } else if (d.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new Error('InvalidStateError');
      this.signalingState = 'stable';
    }
    this.remoteDescription = d;
    this.log.push(`remote:${d.type}`);
  }
  async addIceCandidate(c: RTCIceCandidateInit) {
    if (c.candidate === 'bad') throw new Error('bad candidate');
    this.candidates.push(c);
  }
}

function pair(politeA: boolean) {
  const pcA = new FakePc();
  const pcB = new FakePc();
  const sentA: RTCSessionDescriptionInit[] = [];
  const sentB: RTCSessionDescriptionInit[] = [];
  const a = new PerfectNegotiator(pcA, politeA, (d) => sentA.push(d));
  const b = new PerfectNegotiator(pcB, !politeA, (d) => sentB.push(d));
  return { pcA, pcB, a, b, sentA, sentB };
}

describe('perfect negotiation state', () => {
  it('plain offer/answer', async () => {
    const { pcA, pcB, a, b, sentA, sentB } = pair(true);
    await a.onNegotiationNeeded();
    expect(await b.handleDescription(sentA[0])).toBe('applied');
    expect(sentB[0].type).toBe('answer');
    expect(await a.handleDescription(sentB[0])).toBe('applied');
    expect([pcA.signalingState, pcB.signalingState]).toEqual(['stable', 'stable']);
  });

  it('glare: impolite ignores the offer, polite rolls back and answers', async () => {
    const { pcA, pcB, a, b, sentA, sentB } = pair(true); // A polite, B impolite
    await a.onNegotiationNeeded();
    await b.onNegotiationNeeded();
    expect(await b.handleDescription(sentA[0])).toBe('ignored-collision');
    expect(b.ignoreOffer).toBe(true);
    expect(await a.handleDescription(sentB[0])).toBe('applied');
    expect(pcA.log).toContain('rollback');
    expect(sentA[1].type).toBe('answer');
    expect(await b.handleDescription(sentA[1])).toBe('applied');
    expect([pcA.signalingState, pcB.signalingState]).toEqual(['stable', 'stable']);
  });

  it('polite ignores an answer arriving in stable (to its rolled-back offer)', async () => {
    const { a } = pair(true);
    expect(await a.handleDescription({ type: 'answer', sdp: 'x' })).toBe('ignored-stale-answer');
  });

  it('an offer arriving while making an offer counts as a collision', async () => {
    const pc = new FakePc();
    const n = new PerfectNegotiator(pc, false, () => {});
    n.makingOffer = true;
    expect(await n.handleDescription({ type: 'offer', sdp: 'x' })).toBe('ignored-collision');
  });

  it('queues early candidates and adds them after the remote description', async () => {
    const { pcB, b } = pair(true);
    await b.handleCandidate({ candidate: 'candidate:1', sdpMid: '0' });
    await b.handleCandidate({ candidate: '' }); // end-of-candidates: ignored
    expect(pcB.candidates).toHaveLength(0);
    await b.handleDescription({ type: 'offer', sdp: 'o' });
    expect(pcB.candidates).toEqual([{ candidate: 'candidate:1', sdpMid: '0' }]);
  });

  it('swallows candidate errors', async () => {
    const { pcB, b } = pair(true);
    await b.handleDescription({ type: 'offer', sdp: 'o' });
    await expect(b.handleCandidate({ candidate: 'bad' })).resolves.toBeUndefined();
    expect(pcB.candidates).toHaveLength(0);
  });

  it('a failing remote description is reported, not thrown', async () => {
    const pc = new FakePc();
    const n = new PerfectNegotiator(pc, true, () => {});
    pc.setRemoteDescription = async () => { throw new Error('boom'); };
    expect(await n.handleDescription({ type: 'offer', sdp: 'x' })).toBe('failed');
  });
});

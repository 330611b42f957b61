// What a page's peer connection itself reports about its candidates (getStats), for the NAT specs.
import type { User } from '../helpers';

export interface Pair { local?: string; remote?: string; localAddress?: string; remoteAddress?: string; state?: string }

/** The selected candidate pair of the session with `peerId`, from the peer connection's own stats. */
export async function selectedPair(u: User, peerId: string): Promise<Pair | null> {
  return u.page.evaluate(async (id) => {
    const s = (window as unknown as { parley: { sessions: Map<string, { pc: RTCPeerConnection }> } }).parley.sessions.get(id);
    if (!s) return null;
    const stats = await s.pc.getStats();
    let pairId: string | undefined;
    stats.forEach((r) => { if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId; });
    const pair = pairId ? stats.get(pairId) : undefined;
    if (!pair) return null;
    const l = stats.get(pair.localCandidateId);
    const r = stats.get(pair.remoteCandidateId);
    return { local: l?.candidateType, remote: r?.candidateType, localAddress: `${l?.address}:${l?.port}`, remoteAddress: `${r?.address}:${r?.port}`, state: pair.state };
  }, peerId);
}

/** Every candidate pair and candidate of the session (printed when the test fails). */
export async function allPairs(u: User, peerId: string): Promise<string> {
  return u.page.evaluate(async (id) => {
    const s = (window as unknown as { parley: { sessions: Map<string, { pc: RTCPeerConnection }> } }).parley.sessions.get(id);
    if (!s) return 'no session';
    const stats = await s.pc.getStats();
    const c = (cid: string) => { const x = stats.get(cid); return x ? `${x.candidateType}:${x.address}:${x.port}` : cid; };
    const out: string[] = [`connectionState=${s.pc.connectionState} iceConnectionState=${s.pc.iceConnectionState}`];
    stats.forEach((r) => {
      if (r.type === 'candidate-pair') out.push(`pair ${c(r.localCandidateId)} -> ${c(r.remoteCandidateId)} ${r.state} sent=${r.requestsSent} recv=${r.responsesReceived}`);
      if (r.type === 'local-candidate' || r.type === 'remote-candidate') out.push(`${r.type} ${r.candidateType} ${r.address}:${r.port} ${r.protocol} ${r.url ?? ''}`);
    });
    return out.join('\n');
  }, peerId);
}

// WebRTC perfect negotiation (PROTOCOL.md §6.3, §6.4): offers come from `negotiationneeded`; on
// glare the polite side rolls back (implicitly) and answers, the impolite side ignores the offer.
// Remote descriptions and candidates are processed strictly in arrival order.

/** The slice of RTCPeerConnection this class uses, so tests can drive it with a fake. */
export interface NegotiablePc {
  readonly signalingState: RTCSignalingState;
  readonly remoteDescription: RTCSessionDescriptionInit | null;
  readonly localDescription: RTCSessionDescriptionInit | null;
  setLocalDescription(d?: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(c: RTCIceCandidateInit): Promise<void>;
}

export type NegotiationOutcome = 'applied' | 'ignored-collision' | 'ignored-stale-answer' | 'failed';

const MAX_QUEUED_CANDIDATES = 200;

export class PerfectNegotiator {
  makingOffer = false;
  ignoreOffer = false;
  private settingRemoteAnswer = false;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pc: NegotiablePc,
    readonly polite: boolean,
    private readonly sendDescription: (d: RTCSessionDescriptionInit) => void,
    private readonly log: (msg: string, e?: unknown) => void = () => {},
    /** Runs before every local description, e.g. to fetch fresh TURN credentials (§10.1). */
    private readonly prepareLocal: () => Promise<void> = async () => {},
  ) {}

  /** Call from `negotiationneeded`. */
  async onNegotiationNeeded(): Promise<void> {
    try {
      this.makingOffer = true;
      await this.prepareLocal();
      // An offer that arrived meanwhile was answered (polite side): this round is over, and
      // negotiationneeded fires again if something is still to be negotiated.
      if (this.pc.signalingState !== 'stable') return;
      await this.pc.setLocalDescription();
      if (this.pc.localDescription) this.sendDescription(this.pc.localDescription);
    } catch (e) {
      this.log('offer failed', e);
    } finally {
      this.makingOffer = false;
    }
  }

  handleDescription(desc: RTCSessionDescriptionInit): Promise<NegotiationOutcome> {
    return this.enqueue(() => this.applyDescription(desc));
  }

  handleCandidate(c: RTCIceCandidateInit): Promise<void> {
    return this.enqueue(async () => {
      if (!c.candidate) return; // end-of-candidates is ignored (§2.5.6)
      if (!this.pc.remoteDescription) {
        if (this.pendingCandidates.length < MAX_QUEUED_CANDIDATES) this.pendingCandidates.push(c);
        return;
      }
      await this.addCandidate(c);
    });
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.chain.then(job, job);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async applyDescription(desc: RTCSessionDescriptionInit): Promise<NegotiationOutcome> {
    const readyForOffer = !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
    const collision = desc.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return 'ignored-collision';
    // After a rollback, the answer to our abandoned offer may still arrive: ignore it.
    if (desc.type === 'answer' && this.pc.signalingState === 'stable') return 'ignored-stale-answer';
    try {
      this.settingRemoteAnswer = desc.type === 'answer';
      await this.pc.setRemoteDescription(desc); // rolls our offer back implicitly on collision
      this.settingRemoteAnswer = false;
      const queued = this.pendingCandidates;
      this.pendingCandidates = [];
      for (const c of queued) await this.addCandidate(c);
      if (desc.type === 'offer') {
        await this.prepareLocal();
        await this.pc.setLocalDescription();
        if (this.pc.localDescription) this.sendDescription(this.pc.localDescription);
      }
      return 'applied';
    } catch (e) {
      this.settingRemoteAnswer = false;
      this.log('applying remote description failed', e);
      return 'failed';
    }
  }

  private async addCandidate(c: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(c);
    } catch (e) {
      // Wrong ufrag after a restart, a candidate of an ignored offer, unresolvable mDNS: ignore (§6.4).
      if (!this.ignoreOffer) this.log('addIceCandidate failed', e);
    }
  }
}

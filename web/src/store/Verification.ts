// The verification slice: each connection's safety number (`verification`, by node id), the
// contacts the user marked verified (IndexedDB `verified`), and the hold on sending when a
// verified contact shows another certificate. The peer's fingerprint comes from the first remote
// description applied (`identified`), so the hold is in place before the chat channel can open;
// the number itself from both applied descriptions once DTLS has connected (`secured`).
import { safetyDigits } from '../protocol/safetyNumber';
import type { StoreAccess } from './Store';
import * as db from './db';
import type { VerifiedContact } from './records';
import type { AppState, VerificationView } from './types';
import { contactKeyOf, statusOf, withVerified } from './verifiedContacts';

/** What verification needs from the rest of the application. */
export interface VerificationHost {
  /** sending to the peer may resume: what was held goes out */
  released(nodeId: string): void;
}

export class Verification {
  private contacts = new Map<string, VerifiedContact>();
  private fingerprints = new Map<string, { peer: string; own?: string }>();
  private acknowledged = new Set<string>(); // `${nodeId} ${peer fingerprint}`

  constructor(private readonly store: StoreAccess<AppState>, private readonly host: VerificationHost) {}

  async load(): Promise<void> {
    for (const c of await db.loadVerifiedContacts()) this.contacts.set(c.contact, c);
  }

  /** The peer's certificate is known (its description was applied): decide before anything is sent. */
  identified(nodeId: string, peerFingerprint: string): void {
    const known = this.fingerprints.get(nodeId);
    this.fingerprints.set(nodeId, { peer: peerFingerprint, own: known?.peer === peerFingerprint ? known.own : undefined });
    this.refresh(nodeId);
  }

  /** DTLS connected: both applied descriptions give the safety number. */
  secured(nodeId: string, ownFingerprint: string, peerFingerprint: string): void {
    const before = this.fingerprints.get(nodeId);
    this.fingerprints.set(nodeId, { peer: peerFingerprint, own: ownFingerprint });
    if (before?.peer !== peerFingerprint) this.refresh(nodeId);
    void safetyDigits(ownFingerprint, peerFingerprint).then((digits) => {
      const f = this.fingerprints.get(nodeId);
      if (f?.peer !== peerFingerprint || f.own !== ownFingerprint) return; // a newer connection
      this.refresh(nodeId, digits);
    });
  }

  /** True while sending to this peer must wait for the user (a verified contact's key changed). */
  holds(nodeId: string): boolean {
    const v = this.refresh(nodeId);
    return v?.status === 'changed' && !v.acknowledged;
  }

  /** The user compared the numbers and they match. */
  markVerified(nodeId: string): void {
    const peer = this.store.get().peers[nodeId];
    const fp = this.fingerprints.get(nodeId)?.peer;
    if (!peer || !fp) return;
    const record = withVerified(this.contacts.get(contactKeyOf(peer)), peer, fp, Date.now());
    this.contacts.set(record.contact, record);
    void db.saveVerifiedContact(record);
    this.refresh(nodeId);
    this.host.released(nodeId);
  }

  /** The user no longer vouches for this contact (any of its certificates). */
  unverify(nodeId: string): void {
    const peer = this.store.get().peers[nodeId];
    if (!peer) return;
    const key = contactKeyOf(peer);
    const fp = this.fingerprints.get(nodeId)?.peer;
    // A visitor verified under another name is found by certificate.
    const record = this.contacts.get(key) ?? [...this.contacts.values()].find((c) => fp && c.contact.startsWith('v:') && c.fingerprints.includes(fp));
    if (!record) return;
    this.contacts.delete(record.contact);
    void db.deleteVerifiedContact(record.contact);
    this.refresh(nodeId);
    this.host.released(nodeId);
  }

  /** "Send anyway": the user goes on with the changed certificate, for this connection. */
  acknowledge(nodeId: string): void {
    const fp = this.fingerprints.get(nodeId)?.peer;
    if (!fp) return;
    this.acknowledged.add(`${nodeId} ${fp}`);
    this.refresh(nodeId);
    this.host.released(nodeId);
  }

  dropPeer(nodeId: string): void {
    this.fingerprints.delete(nodeId);
    for (const k of [...this.acknowledged]) if (k.startsWith(`${nodeId} `)) this.acknowledged.delete(k);
    this.store.set((s) => {
      const verification = { ...s.verification };
      delete verification[nodeId];
      return { verification };
    });
  }

  dropAll(): void {
    this.fingerprints.clear();
    this.acknowledged.clear();
    this.store.set({ verification: {} });
  }

  /** Recomputes the peer's view from its certificate and the verified contacts; undefined if unknown. */
  private refresh(nodeId: string, digits?: string): VerificationView | undefined {
    const f = this.fingerprints.get(nodeId);
    const state = this.store.get();
    const peer = state.peers[nodeId];
    if (!f || !peer) return undefined;
    const old = state.verification[nodeId];
    const view: VerificationView = {
      contact: contactKeyOf(peer),
      status: statusOf(this.contacts, peer, f.peer),
      peerFingerprint: f.peer,
      ownFingerprint: f.own,
      digits: digits ?? (old?.peerFingerprint === f.peer && old.ownFingerprint === f.own ? old.digits : undefined),
      acknowledged: this.acknowledged.has(`${nodeId} ${f.peer}`),
    };
    if (!old || JSON.stringify(old) !== JSON.stringify(view)) {
      this.store.set((s) => ({ verification: { ...s.verification, [nodeId]: view } }));
    }
    return view;
  }
}

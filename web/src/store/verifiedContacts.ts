// The rules of verified contacts (safety numbers, docs/PROTOCOL-EXTENSIONS.md): who a peer is for
// verification, and whether the certificate it shows now is one the user verified. Pure.
import type { VerifiedContact } from './records';
import type { PeerView, VerificationStatus } from './types';

/** Fingerprints kept per contact (browsers and devices it was verified on); the oldest goes first. */
const MAX_FINGERPRINTS = 16;

/**
 * An account is its username (the server vouches for it). A visitor is its name: a visitor who
 * shows up under a verified visitor's name with another certificate is exactly the case to warn
 * about. A visitor's certificate verified under an earlier name stays verified after a rename.
 */
export function contactKeyOf(peer: Pick<PeerView, 'username' | 'name'>): string {
  return peer.username ? `u:${peer.username.toLowerCase()}` : `v:${peer.name.toLowerCase()}`;
}

export function statusOf(contacts: ReadonlyMap<string, VerifiedContact>, peer: Pick<PeerView, 'username' | 'name'>, fingerprint: string): VerificationStatus {
  const key = contactKeyOf(peer);
  const own = contacts.get(key);
  if (own?.fingerprints.includes(fingerprint)) return 'verified';
  if (!peer.username) {
    for (const c of contacts.values()) if (c.contact.startsWith('v:') && c.fingerprints.includes(fingerprint)) return 'verified';
  }
  return own ? 'changed' : 'unverified';
}

/** The record after the user verified `fingerprint` for this peer. */
export function withVerified(existing: VerifiedContact | undefined, peer: Pick<PeerView, 'username' | 'name' | 'displayName'>, fingerprint: string, now: number): VerifiedContact {
  const previous = (existing?.fingerprints ?? []).filter((f) => f !== fingerprint);
  return {
    contact: contactKeyOf(peer),
    name: peer.displayName || peer.name,
    fingerprints: [...previous, fingerprint].slice(-MAX_FINGERPRINTS),
    verifiedAt: now,
  };
}

// This browser's DTLS certificate, kept in IndexedDB so that peers see the same fingerprint after
// every reload: it is how an anonymous Parley user is recognised (see peerDirectory.convKeyOf).
// Chromium caps a certificate's lifetime at one year; it is renewed a week before it expires,
// which starts a new conversation on each peer's side (the old one stays under "Earlier").
import * as db from './db';

const LIFETIME_MS = 365 * 24 * 3600 * 1000;
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

export async function ownCertificate(): Promise<RTCCertificate | null> {
  if (typeof RTCPeerConnection === 'undefined' || typeof RTCPeerConnection.generateCertificate !== 'function') return null;
  try {
    const stored = await db.loadCertificate();
    if (stored && stored.expires - Date.now() > RENEW_BEFORE_MS) return stored;
    const cert = await RTCPeerConnection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256', expires: LIFETIME_MS } as AlgorithmIdentifier);
    await db.saveCertificate(cert);
    return cert;
  } catch {
    return null; // the browser's own per-connection certificate: chats still work, histories start afresh
  }
}

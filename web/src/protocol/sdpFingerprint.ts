// The DTLS certificate fingerprint of an SDP (RFC 8122 `a=fingerprint:`). The browser checks the
// peer's DTLS certificate against it, so once a connection carries data the fingerprint names the
// certificate the peer really holds. The Parley web client keeps one certificate per browser
// profile, which makes the fingerprint a stable identity of an anonymous peer (docs/WEB_CLIENT.md).

/** `sha-256 AB:CD:…` normalised (algorithm lower case, hex upper case), or null. SHA-256 preferred. */
export function sdpFingerprint(sdp: string | undefined | null): string | null {
  if (!sdp) return null;
  const found: { alg: string; value: string }[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+)\s*$/.exec(line);
    if (m) found.push({ alg: m[1].toLowerCase(), value: m[2].toUpperCase() });
  }
  if (!found.length) return null;
  const best = found.find((f) => f.alg === 'sha-256') ?? found[0];
  return `${best.alg} ${best.value}`;
}

/** A compact conversation key for a fingerprint: `k:` + the hex digits without colons. */
export function fingerprintKey(fp: string): string {
  const [alg, value] = fp.split(' ');
  const hex = (value ?? '').replace(/:/g, '').toLowerCase();
  return alg === 'sha-256' ? `k:${hex}` : `k:${alg}:${hex}`;
}

// Who is polite toward a peer (PROTOCOL.md §6.3), decided from what the peer announces.

export function isPoliteToward(ownId: string, peerId: string, peerAttributes: Record<string, string> | undefined): boolean {
  const a = peerAttributes ?? {};
  if (a.negotiation === 'perfect') return byteCompare(ownId, peerId) < 0;
  if (a.negotiation === 'impolite') return true; // a Parley bot
  if (a.support_attachment === 'true') return false; // an original web client: ours wins
  return true; // an original bot cannot roll back
}

/** Byte-wise comparison of UTF-8 strings (node ids are ASCII UUIDs, so code units suffice). */
function byteCompare(a: string, b: string): number {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) if (ea[i] !== eb[i]) return ea[i] - eb[i];
  return ea.length - eb.length;
}

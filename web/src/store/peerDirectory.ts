// Turns a /conns listing into the peer list (PROTOCOL.md §3.3, §10.4): own node left out,
// colours per §10.3, a stable conversation key per peer, and the open chat followed to its
// peer's new node id after a reload or reconnect.
import type { ConnEntry } from '../protocol/conns';
import { colourIndexForPeer } from '../protocol/palette';
import type { PeerView } from './types';

/** History is keyed by username (logged in) or name: node ids change on every reload. */
export function convKeyOf(c: Pick<ConnEntry, 'username' | 'nodeName'>): string {
  return c.username ? `u:${c.username.toLowerCase()}` : `n:${c.nodeName}`;
}

/** The name to look up at /profile?username=, for authenticated peers only. */
export function profileLookupName(c: ConnEntry): string | undefined {
  return c.username ?? (c.authentication !== 'none' ? c.nodeName : undefined);
}

export function buildPeers(
  entries: ConnEntry[],
  ownId: string,
  previous: Record<string, PeerView>,
  displayNames: (lookup: string) => string | undefined,
): Record<string, PeerView> {
  const peers: Record<string, PeerView> = {};
  for (const c of entries) {
    if (c.nodeId === ownId) continue; // "you" are not a peer
    const lookup = profileLookupName(c);
    peers[c.nodeId] = {
      nodeId: c.nodeId,
      name: c.nodeName,
      displayName: (lookup && displayNames(lookup)) || c.nodeName,
      colourIndex: colourIndexForPeer(c.nodeName, c.attributes.preferred_color),
      registeredAt: c.registeredAt,
      attributes: c.attributes,
      authentication: c.authentication,
      username: c.username,
      isBot: c.isBot,
      // A rename keeps the conversation the peer started with.
      conv: previous[c.nodeId]?.conv ?? convKeyOf(c),
    };
  }
  return peers;
}

/** The selection after a refresh: kept, or moved to the peer that took over its conversation. */
export function followSelection(selected: string | undefined, selectedConv: string | undefined, peers: Record<string, PeerView>): string | undefined {
  if (!selected || peers[selected] || !selectedConv) return selected;
  return Object.values(peers).find((p) => p.conv === selectedConv)?.nodeId ?? selected;
}

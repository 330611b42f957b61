// Turns a /conns listing into the peer list (PROTOCOL.md §3.3, §10.4): own node left out,
// colours per §10.3, a stable conversation key per peer, and the open chat followed to its
// peer's new node id after a reload or reconnect.
import type { ConnEntry } from '../protocol/conns';
import { colourIndexForPeer } from '../protocol/palette';
import type { PeerView } from './types';

/**
 * The conversation (history) key of a peer; node ids change on every reload, so they cannot be it.
 *  - `u:<username>`: a signed-in user or bot account. The server vouches for it (§2.2) and
 *    usernames are unique ignoring case.
 *  - `k:<sha-256 of its DTLS certificate>`: an anonymous Parley web client. It keeps one
 *    certificate per browser profile, and the browser checks the peer's certificate against the
 *    fingerprint, so the key follows the person across reloads and renames and is never taken over
 *    by someone else using the same name. It is known once a remote description has been applied;
 *    until then the peer has the provisional key `p:<node id>` (see Conversations.identify).
 *  - `n:<name>`: anyone else (original web clients and anonymous bots, which keep no certificate):
 *    the name is all there is.
 */
export function convKeyOf(c: Pick<ConnEntry, 'username' | 'nodeName' | 'nodeId' | 'attributes'>): string {
  if (c.username) return `u:${c.username.toLowerCase()}`;
  if (c.attributes?.negotiation === 'perfect') return `p:${c.nodeId}`;
  return `n:${c.nodeName}`;
}

/** True while a peer's conversation key waits for its certificate fingerprint. */
export const isProvisionalConv = (conv: string): boolean => conv.startsWith('p:');

/** The name to look up at /profile?username=, for authenticated peers only. */
export function profileLookupName(c: Pick<ConnEntry, 'username' | 'nodeName' | 'authentication'>): string | undefined {
  return c.username ?? (c.authentication !== 'none' ? c.nodeName : undefined);
}

export function buildPeers(
  entries: ConnEntry[],
  ownId: string,
  previous: Record<string, PeerView>,
  profileOf: (lookup: string) => { displayName?: string; avatar?: string } | undefined,
): Record<string, PeerView> {
  const peers: Record<string, PeerView> = {};
  for (const c of entries) {
    if (c.nodeId === ownId) continue; // "you" are not a peer
    const lookup = profileLookupName(c);
    const profile = lookup ? profileOf(lookup) : undefined;
    peers[c.nodeId] = {
      nodeId: c.nodeId,
      name: c.nodeName,
      displayName: profile?.displayName || c.nodeName,
      avatar: profile?.avatar,
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

/**
 * The selection after a refresh: kept, or moved to the peer that came back under a new node id
 * (reload, reconnect): the same conversation key, else, for anonymous peers whose key is not known
 * yet, the same name and colour. This only picks what is shown; history is still matched by key.
 */
export function followSelection(selected: string | undefined, departed: PeerView | undefined, peers: Record<string, PeerView>): string | undefined {
  if (!selected || peers[selected] || !departed) return selected;
  const all = Object.values(peers);
  const same = all.find((p) => p.conv === departed.conv)
    ?? (departed.username ? undefined : all.find((p) => !p.username && isProvisionalConv(p.conv) && p.name === departed.name && p.colourIndex === departed.colourIndex));
  return same?.nodeId ?? selected;
}

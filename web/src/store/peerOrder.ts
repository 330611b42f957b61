// Peer list order (PROTOCOL.md §10.4): unread first (newest unread first), then newest last
// message, then newest registration. Search is a case-insensitive substring match.
import type { PeerView } from './types';
import type { StoredMessage } from './records';

export function sortPeers(peers: PeerView[], conversations: Record<string, StoredMessage[]>): PeerView[] {
  const key = (p: PeerView) => {
    const msgs = conversations[p.conv] ?? [];
    let newestUnread = 0;
    let newest = 0;
    for (const m of msgs) {
      if (m.unread && m.timestamp > newestUnread) newestUnread = m.timestamp;
      if (m.timestamp > newest) newest = m.timestamp;
    }
    return { newestUnread, newest };
  };
  const keys = new Map(peers.map((p) => [p.nodeId, key(p)]));
  return [...peers].sort((a, b) => {
    const ka = keys.get(a.nodeId)!;
    const kb = keys.get(b.nodeId)!;
    if ((ka.newestUnread > 0) !== (kb.newestUnread > 0)) return ka.newestUnread > 0 ? -1 : 1;
    if (ka.newestUnread !== kb.newestUnread) return kb.newestUnread - ka.newestUnread;
    if (ka.newest !== kb.newest) return kb.newest - ka.newest;
    return b.registeredAt - a.registeredAt;
  });
}

export function matchesSearch(p: PeerView, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return p.name.toLowerCase().includes(q) || p.displayName.toLowerCase().includes(q);
}

export const unreadCount = (msgs: StoredMessage[] | undefined): number => (msgs ?? []).reduce((n, m) => n + (m.unread ? 1 : 0), 0);

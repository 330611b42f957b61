// What the chat says when a peer cannot be reached (issue 13, item 4b): ICE gave up (the restarts
// of rtc/iceRestart.ts ran out, or the connection failed). Without a TURN relay two peers behind
// NATs often cannot reach each other at all, and only the server's operator can change that.
import { iceServersOf, type ServerEntry } from '../protocol/serversJson';

/** Whether the server entry gives the browser a TURN relay: fetched credentials or static turn: URLs. */
export function offersTurn(entry: ServerEntry | undefined): boolean {
  if (!entry) return false;
  if (entry.iceServersEndpoint) return true;
  return iceServersOf(entry).some((s) => ([] as string[]).concat(s.urls).some((u) => /^turns?:/i.test(u.trim())));
}

/** The one line under a failed connection: why, and what would help. */
export function unreachableHint(name: string, turn: boolean): string {
  return turn
    ? `Can't reach ${name}, not even through the server's TURN relay. They may be offline or behind a firewall that blocks it.`
    : `Can't reach ${name} directly. The server offers no TURN relay; ask its operator to set one up (docs/DEPLOYMENT.md).`;
}

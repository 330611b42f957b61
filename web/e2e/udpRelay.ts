// A UDP relay that the test controls, put between two browser pages so that their connection can
// really fail: every host candidate a page signals is rewritten (in the WebSocket frames, through
// Playwright's routeWebSocket) to a relay socket on the same address, which forwards datagrams to
// the real candidate and back. The pages never learn each other's real addresses, so all ICE
// traffic crosses the relay; `cut()` drops everything and the browsers' consent checks fail for
// real; `heal()` lets traffic through again. Non-IPv4 and TCP candidates are withheld.
import { createSocket, type Socket, type RemoteInfo } from 'node:dgram';
import type { BrowserContext } from '@playwright/test';

interface Relay { socket: Socket; ready: Promise<void>; real: { address: string; port: number }; peer?: { address: string; port: number } }

export class UdpRelay {
  private relays = new Map<string, Relay>(); // "ip:port" of the real candidate -> relay
  private open = true;
  /** datagrams forwarded and dropped, for the test's own checks */
  forwarded = 0;
  dropped = 0;

  cut(): void { this.open = false; }
  heal(): void { this.open = true; }

  /** Routes a browser context's signalling through the rewriting proxy. */
  async attach(ctx: BrowserContext): Promise<void> {
    await ctx.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      let chain = Promise.resolve();
      ws.onMessage((m) => {
        // Rewriting needs a bound socket (async); the chain keeps the frames in order.
        chain = chain.then(async () => {
          const out = typeof m === 'string' ? await this.rewriteFrame(m) : m;
          if (out !== null) server.send(out);
        });
      });
      server.onMessage((m) => ws.send(m));
    });
  }

  close(): void {
    for (const r of this.relays.values()) r.socket.close();
    this.relays.clear();
  }

  /** Rewrites the candidates in one client → server frame; null withholds the frame. */
  async rewriteFrame(text: string): Promise<string | null> {
    let env: Record<string, { offer_json?: string } | undefined>;
    try { env = JSON.parse(text); } catch { return text; }
    if (env.ice_offer?.offer_json) {
      const c = JSON.parse(env.ice_offer.offer_json) as { candidate?: string };
      const cand = c.candidate ? await this.rewriteCandidate(c.candidate) : null;
      if (cand === null) return null;
      env.ice_offer.offer_json = JSON.stringify({ ...c, candidate: cand });
      return JSON.stringify(env);
    }
    if (env.sdp_offer?.offer_json) {
      const d = JSON.parse(env.sdp_offer.offer_json) as { type: string; sdp: string };
      const lines: string[] = [];
      for (const line of d.sdp.split('\r\n')) {
        if (!line.startsWith('a=candidate:')) { lines.push(line); continue; }
        const cand = await this.rewriteCandidate(line.slice(2));
        if (cand !== null) lines.push(`a=${cand}`);
      }
      env.sdp_offer.offer_json = JSON.stringify({ ...d, sdp: lines.join('\r\n') });
      return JSON.stringify(env);
    }
    return text;
  }

  /** `candidate:… udp <prio> <ip> <port> typ host …` → the same with the relay's port. */
  private async rewriteCandidate(cand: string): Promise<string | null> {
    const f = cand.split(' ');
    if (f.length < 8 || f[2].toLowerCase() !== 'udp' || !/^\d+\.\d+\.\d+\.\d+$/.test(f[4])) return null;
    const relay = await this.relayFor(f[4], Number(f[5]));
    f[5] = String(relay.socket.address().port);
    return f.join(' ');
  }

  private async relayFor(address: string, port: number): Promise<Relay> {
    const key = `${address}:${port}`;
    const existing = this.relays.get(key);
    if (existing) { await existing.ready; return existing; }
    const socket = createSocket('udp4');
    const relay: Relay = { socket, ready: new Promise<void>((resolve) => socket.bind(0, address, resolve)), real: { address, port } };
    this.relays.set(key, relay);
    socket.on('message', (msg: Buffer, from: RemoteInfo) => {
      if (!this.open) { this.dropped++; return; }
      const fromReal = from.address === address && from.port === port;
      if (!fromReal) relay.peer = { address: from.address, port: from.port };
      const to = fromReal ? relay.peer : relay.real;
      if (!to) { this.dropped++; return; }
      this.forwarded++;
      socket.send(msg, to.port, to.address);
    });
    socket.on('error', () => undefined);
    await relay.ready;
    return relay;
  }
}

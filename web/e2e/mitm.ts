// A man in the middle made of the project's own parts: the real parley-server relays as usual,
// but every browser's signalling WebSocket goes through Playwright's WebSocket routing, which
// plays a lying server. While active, it keeps each side's SDP and ICE from the other and hands
// them to "Mallory", a third browser page holding one RTCPeerConnection per side: the one facing
// Alice pretends to be Bob and the one facing Bob pretends to be Alice. Mallory copies every
// data-channel message across (and keeps a copy of what she read), so the chat works as before;
// only the DTLS certificates, and so the safety numbers, give her away.
import type { Browser, BrowserContext, Page, WebSocketRoute } from '@playwright/test';

interface Relayed { offer_json: string; from_node_id: string; to_node_id: string; type?: string }

/** The script Mallory's page runs: legs[x][y] is the connection to x that pretends to be y. */
function malloryScript(): void {
  type Leg = { pc: RTCPeerConnection; channels: Map<string, RTCDataChannel>; chain: Promise<unknown> };
  const w = window as unknown as {
    mitmSignal(to: string, asFrom: string, kind: 'sdp' | 'ice', json: string, type?: string): Promise<void>;
    mitm: unknown;
  };
  const legs = new Map<string, Leg>();
  const read: { label: string; data: string }[] = [];
  const key = (x: string, y: string) => `${x}>${y}`;

  function leg(x: string, y: string): Leg {
    let l = legs.get(key(x, y));
    if (l) return l;
    const pc = new RTCPeerConnection({ iceServers: [] });
    l = { pc, channels: new Map(), chain: Promise.resolve() };
    legs.set(key(x, y), l);
    pc.onicecandidate = (ev) => { if (ev.candidate?.candidate) void w.mitmSignal(x, y, 'ice', JSON.stringify(ev.candidate.toJSON())); };
    pc.ondatachannel = (ev) => adopt(x, y, ev.channel);
    return l;
  }

  /** A channel on the leg to x is paired with the same label on the leg to y; messages cross. */
  function adopt(x: string, y: string, dc: RTCDataChannel): void {
    dc.binaryType = 'arraybuffer';
    const mine = leg(x, y);
    mine.channels.set(dc.label, dc);
    const backlog: (string | ArrayBuffer)[] = [];
    dc.onmessage = (ev) => {
      if (typeof ev.data === 'string') read.push({ label: dc.label, data: ev.data });
      const other = leg(y, x).channels.get(dc.label);
      if (other?.readyState === 'open' && !backlog.length) other.send(ev.data); else backlog.push(ev.data);
    };
    const flush = setInterval(() => {
      const other = leg(y, x).channels.get(dc.label);
      if (dc.readyState === 'closed') clearInterval(flush);
      if (other?.readyState !== 'open') return;
      while (backlog.length) other.send(backlog.shift() as string);
    }, 50);
  }

  /** x offered to y: answer x as y, and offer y as x with the same channels. */
  async function offerFrom(x: string, y: string, sdp: string): Promise<void> {
    const toX = leg(x, y);
    await toX.pc.setRemoteDescription({ type: 'offer', sdp });
    await toX.pc.setLocalDescription();
    await w.mitmSignal(x, y, 'sdp', JSON.stringify(toX.pc.localDescription), 'answer');
    const toY = leg(y, x);
    if (toY.pc.signalingState !== 'stable' || toY.pc.localDescription) return;
    for (const label of ['chat', 'ping']) adopt(y, x, toY.pc.createDataChannel(label));
    await toY.pc.setLocalDescription();
    await w.mitmSignal(y, x, 'sdp', JSON.stringify(toY.pc.localDescription), 'offer');
  }

  w.mitm = {
    /** a description or candidate that x sent to y */
    fromPage(x: string, y: string, kind: 'sdp' | 'ice', json: string, type: string): Promise<unknown> {
      const l = leg(x, y);
      l.chain = l.chain.then(async () => {
        const payload = JSON.parse(json);
        if (kind === 'ice') await l.pc.addIceCandidate(payload).catch(() => undefined);
        else if (type === 'offer') await offerFrom(x, y, payload.sdp);
        else await l.pc.setRemoteDescription({ type: 'answer', sdp: payload.sdp });
      });
      return l.chain;
    },
    read: () => read,
  };
}

export class SdpSwapper {
  /** while false, frames pass unchanged: an honest server */
  active = false;
  private routes = new Map<string, WebSocketRoute>(); // node id -> its page's socket
  private paused: (() => void)[] | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly mallory: Page) {}

  static async start(browser: Browser): Promise<SdpSwapper> {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const swapper = new SdpSwapper(page);
    await page.exposeFunction('mitmSignal', (to: string, asFrom: string, kind: 'sdp' | 'ice', json: string, type?: string) => swapper.toPage(to, asFrom, kind, json, type));
    await page.evaluate(malloryScript);
    return swapper;
  }

  /** Routes the signalling sockets of a browser context through this server-in-the-middle. */
  async install(ctx: BrowserContext): Promise<void> {
    await ctx.routeWebSocket(/\/ws$/, (page) => {
      const server = page.connectToServer();
      page.onMessage((m) => { if (!this.intercepted(m)) server.send(m); });
      server.onMessage((m) => {
        const f = parse(m);
        if (f?.node_id && f.register) this.routes.set(String(f.node_id), page);
        page.send(m);
      });
    });
  }

  /** Frames are held (not lost) until resume(): lets a test act before the connection starts. */
  pause(): void { this.paused ??= []; }
  resume(): void {
    const held = this.paused ?? [];
    this.paused = null;
    for (const go of held) go();
  }

  /** What Mallory read on the channels she relays, by channel label. */
  read(label: string): Promise<string[]> {
    return this.mallory.evaluate((l) => (window as unknown as { mitm: { read(): { label: string; data: string }[] } }).mitm.read().filter((r) => r.label === l).map((r) => r.data), label);
  }

  async close(): Promise<void> { await this.mallory.context().close(); }

  private intercepted(m: string | Buffer): boolean {
    if (!this.active) return false;
    const f = parse(m);
    const p = (f?.sdp_offer ?? f?.ice_offer) as Relayed | undefined;
    if (!p) return false;
    const kind = f!.sdp_offer ? 'sdp' : 'ice';
    const go = () => {
      this.chain = this.chain.then(() => this.mallory.evaluate(
        ([x, y, k, json, type]) => (window as unknown as { mitm: { fromPage(...a: string[]): Promise<unknown> } }).mitm.fromPage(x, y, k, json, type),
        [p.from_node_id, p.to_node_id, kind, p.offer_json, p.type ?? ''],
      )).catch(() => undefined);
    };
    if (this.paused) this.paused.push(go); else go();
    return true;
  }

  /** Mallory's description or candidate, delivered to page `to` as if it came from `asFrom`. */
  private toPage(to: string, asFrom: string, kind: 'sdp' | 'ice', json: string, type?: string): void {
    const route = this.routes.get(to);
    const relayed = { offer_json: json, from_node_id: asFrom, to_node_id: to };
    route?.send(JSON.stringify(kind === 'sdp' ? { sdp_offer: { type, ...relayed } } : { ice_offer: relayed }));
  }
}

function parse(m: string | Buffer): Record<string, unknown> | null {
  try {
    const v = JSON.parse(typeof m === 'string' ? m : m.toString('utf8'));
    return typeof v === 'object' && v !== null ? v : null;
  } catch {
    return null;
  }
}

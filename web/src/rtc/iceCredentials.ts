// TURN credentials from the server entry's `iceServersEndpoint` (PROTOCOL.md §3.11, §10.1:
// "fetched before each peer connection"). coturn's REST scheme puts the expiry in the username,
// `<expiry unix s>:<random>`; a fetched list is reused only during the first half of its lifetime
// (and never within a minute of expiry), so every connection, and every ICE restart, starts with
// credentials that outlive it comfortably. Lists whose expiry cannot be read are never reused.

export interface IceFetch { servers: RTCIceServer[]; fetchedAt: number; expiresAt: number | null }

const MIN_LEFT_MS = 60_000;

/** The earliest expiry (ms) of the credentialed entries; null when one of them has none we can read. */
export function credentialExpiry(servers: RTCIceServer[]): number | null {
  let earliest: number | null = null;
  for (const s of servers) {
    if (s.username === undefined && s.credential === undefined) continue;
    const m = /^(\d{9,12}):/.exec(s.username ?? '');
    if (!m) return null;
    const ms = Number(m[1]) * 1000;
    earliest = earliest === null ? ms : Math.min(earliest, ms);
  }
  return earliest;
}

export function reusable(f: IceFetch, now: number): boolean {
  if (f.expiresAt === null) return false;
  const halfLife = f.fetchedAt + (f.expiresAt - f.fetchedAt) / 2;
  return now < halfLife && f.expiresAt - now > MIN_LEFT_MS;
}

/** Validates the endpoint's `{"iceServers":[…]}` body. */
export function parseIceServers(body: unknown): RTCIceServer[] {
  const list = (body as { iceServers?: unknown } | null)?.iceServers;
  if (!Array.isArray(list)) return [];
  return list.filter((x): x is RTCIceServer => {
    if (typeof x !== 'object' || x === null) return false;
    const s = x as RTCIceServer;
    const urlsOk = typeof s.urls === 'string' || (Array.isArray(s.urls) && s.urls.every((u) => typeof u === 'string'));
    return urlsOk && (s.username === undefined || typeof s.username === 'string') && (s.credential === undefined || typeof s.credential === 'string');
  });
}

export type Fetcher = (url: string, init: RequestInit) => Promise<Response>;

export class IceServerSource {
  private last: IceFetch | null = null;
  private inflight: Promise<RTCIceServer[] | null> | null = null;
  /** number of requests made, for the tests */
  fetches = 0;

  /** `headers`: asked at each fetch (the signalling connection's `turn_ticket` changes with each registration) */
  constructor(
    readonly url: string,
    private readonly fetcher: Fetcher = (u, i) => fetch(u, i),
    private readonly timeoutMs = 5000,
    private readonly headers: () => Record<string, string> = () => ({}),
  ) {}

  /** Credentials for a new connection or an ICE restart; null when the endpoint fails (use the static list). */
  get(now = Date.now()): Promise<RTCIceServer[] | null> {
    if (this.last && reusable(this.last, now)) return Promise.resolve(this.last.servers);
    this.inflight ??= this.fetchFresh().finally(() => { this.inflight = null; });
    return this.inflight;
  }

  private async fetchFresh(): Promise<RTCIceServer[] | null> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.timeoutMs);
    this.fetches++;
    try {
      const res = await this.fetcher(this.url, { credentials: 'include', cache: 'no-store', signal: ctl.signal, headers: this.headers() });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const servers = parseIceServers(await res.json());
      if (!servers.length) throw new Error('no usable entries');
      const now = Date.now();
      this.last = { servers, fetchedAt: now, expiresAt: credentialExpiry(servers) };
      return servers;
    } catch {
      // A failed refresh may still fall back on credentials that have not expired yet.
      const now = Date.now();
      return this.last && this.last.expiresAt !== null && this.last.expiresAt - now > MIN_LEFT_MS ? this.last.servers : null;
    } finally {
      clearTimeout(timer);
    }
  }
}

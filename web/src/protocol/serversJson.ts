// Server entries of /servers.json (PROTOCOL.md §10.1), validated field by field.

export interface IdpEntry { name: string; kind: string; loginUrl: string; displayName?: string; parameters?: Record<string, string> }
export interface ServerEntry {
  url: string;
  name: string;
  id: string;
  iceServers: string[];
  apiPrefix: string;
  idp: IdpEntry[];
  allowAnonymous: boolean;
  rtcIceServers?: RTCIceServer[];
  iceServersEndpoint?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strArr = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function parseServers(raw: unknown): ServerEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: ServerEntry[] = [];
  for (const e of raw) {
    if (!isObj(e) || typeof e.url !== 'string' || typeof e.id !== 'string') continue;
    const entry: ServerEntry = {
      url: e.url,
      id: e.id,
      name: typeof e.name === 'string' ? e.name : e.id,
      iceServers: strArr(e.iceServers),
      apiPrefix: typeof e.apiPrefix === 'string' ? e.apiPrefix.replace(/\/$/, '') : '/api',
      idp: Array.isArray(e.idp)
        ? e.idp.filter((i): i is IdpEntry => isObj(i) && typeof i.name === 'string' && typeof i.loginUrl === 'string')
        : [],
      allowAnonymous: e.allowAnonymous !== false,
    };
    if (Array.isArray(e.rtcIceServers)) {
      entry.rtcIceServers = e.rtcIceServers.filter((s): s is RTCIceServer => isObj(s) && (typeof s.urls === 'string' || Array.isArray(s.urls)));
    }
    if (typeof e.iceServersEndpoint === 'string') entry.iceServersEndpoint = e.iceServersEndpoint;
    out.push(entry);
  }
  return out;
}

/** A ws(s) URL as-is; otherwise a path on the page's origin, wss for https pages. */
export function resolveWsUrl(url: string, page: { protocol: string; host: string }): string {
  if (/^wss?:\/\//i.test(url)) return url;
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}${url.startsWith('/') ? '' : '/'}${url}`;
}

/** ICE configuration: Parley's full RTCIceServer list when given, else the string URLs (§6.2). */
export function iceServersOf(entry: ServerEntry): RTCIceServer[] {
  if (entry.rtcIceServers && entry.rtcIceServers.length) return entry.rtcIceServers;
  return entry.iceServers.length ? [{ urls: entry.iceServers }] : [];
}

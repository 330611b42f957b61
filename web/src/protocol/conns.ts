// The /conns peer map (PROTOCOL.md §3.3), validated entry by entry.

export interface ConnEntry {
  nodeId: string;
  nodeName: string;
  registeredAt: number;
  attributes: Record<string, string>;
  authentication: string;
  username?: string;
  isBot: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseConns(raw: unknown): ConnEntry[] {
  if (!isObj(raw)) return [];
  const out: ConnEntry[] = [];
  for (const [nodeId, e] of Object.entries(raw)) {
    if (!isObj(e) || typeof e.node_name !== 'string') continue;
    const attributes: Record<string, string> = {};
    if (isObj(e.attributes)) for (const [k, v] of Object.entries(e.attributes)) if (typeof v === 'string') attributes[k] = v;
    out.push({
      nodeId,
      nodeName: e.node_name,
      registeredAt: typeof e.registered_at === 'number' ? e.registered_at : 0,
      attributes,
      authentication: typeof e.authentication === 'string' ? e.authentication : 'none',
      username: typeof e.username === 'string' ? e.username : undefined,
      isBot: e.is_bot === true,
    });
  }
  return out;
}

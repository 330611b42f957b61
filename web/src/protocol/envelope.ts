// Signalling envelope (PROTOCOL.md §2.4–2.5): types, a strict decoder that mirrors the server's
// frame-level checks (so the shared fixtures hold for both), and a canonical encoder.

export interface RegisterPayload { node_name: string }
export interface EchoPayload {
  direction: string;
  correlation_id: string;
  server_timestamp: number;
  timestamp: number;
  seq_id: number;
}
export interface AttributesPayload { attributes?: Record<string, string>; withdrawals?: string[] }
export interface RenamePayload {
  new_preference: { name?: string; indexOfPreferColor?: number };
  origin_node_name?: string;
  node_id?: string;
}
export interface SdpPayload { type: string; offer_json: string; from_node_id: string; to_node_id: string }
export interface IcePayload { offer_json: string; from_node_id: string; to_node_id: string }
export interface NodeRef { node_id: string }
export interface ErrorPayload { code: string; message: string; ref: string | null }

export interface Envelope {
  node_id?: string;
  register?: RegisterPayload;
  echo?: EchoPayload;
  attributes_announcement?: AttributesPayload;
  rename?: RenamePayload;
  online?: NodeRef;
  offline?: NodeRef;
  sdp_offer?: SdpPayload;
  ice_offer?: IcePayload;
  error?: ErrorPayload;
  /** [Parley] in the register reply when the server issues TURN credentials: proof of the registration for /ice-servers */
  turn_ticket?: string;
}

export type DecodeResult =
  | { ok: true; frame: Envelope }
  | { ok: false; code: 'bad_json' | 'bad_field'; ref: string | null };

class FieldError extends Error {
  constructor(readonly ref: string) { super(ref); }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(o: Obj, key: string, path: string, dflt = ''): string {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') throw new FieldError(`${path}.${key}`);
  return v;
}
function optStr(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new FieldError(`${path}.${key}`);
  return v;
}
function int(o: Obj, key: string, path: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new FieldError(`${path}.${key}`);
  return v;
}
function obj(o: Obj, key: string): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new FieldError(key);
  return v;
}

function decodeRegister(p: Obj): RegisterPayload {
  return { node_name: str(p, 'node_name', 'register') };
}
function decodeEcho(p: Obj): EchoPayload {
  return {
    direction: str(p, 'direction', 'echo'),
    correlation_id: str(p, 'correlation_id', 'echo'),
    server_timestamp: int(p, 'server_timestamp', 'echo') ?? 0,
    timestamp: int(p, 'timestamp', 'echo') ?? 0,
    seq_id: int(p, 'seq_id', 'echo') ?? 0,
  };
}
function decodeAttributes(p: Obj): AttributesPayload {
  const out: AttributesPayload = {};
  const a = p.attributes;
  if (a !== undefined && a !== null) {
    if (!isObj(a)) throw new FieldError('attributes_announcement.attributes');
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(a)) {
      if (typeof v !== 'string') throw new FieldError(`attributes_announcement.attributes.${k}`);
      attrs[k] = v;
    }
    out.attributes = attrs;
  }
  const w = p.withdrawals;
  if (w !== undefined && w !== null) {
    if (!Array.isArray(w)) throw new FieldError('attributes_announcement.withdrawals');
    w.forEach((x, i) => {
      if (typeof x !== 'string') throw new FieldError(`attributes_announcement.withdrawals.${i}`);
    });
    out.withdrawals = w as string[];
  }
  return out;
}
function decodeRename(p: Obj): RenamePayload {
  const np = p.new_preference;
  const pref: RenamePayload['new_preference'] = {};
  if (np !== undefined && np !== null) {
    if (!isObj(np)) throw new FieldError('rename.new_preference');
    const name = optStr(np, 'name', 'rename.new_preference');
    const idx = int(np, 'indexOfPreferColor', 'rename.new_preference');
    if (name !== undefined) pref.name = name;
    if (idx !== undefined) pref.indexOfPreferColor = idx;
  }
  const out: RenamePayload = { new_preference: pref };
  const origin = optStr(p, 'origin_node_name', 'rename');
  if (origin !== undefined) out.origin_node_name = origin;
  const id = optStr(p, 'node_id', 'rename');
  if (id !== undefined) out.node_id = id;
  return out;
}
function decodeSdp(p: Obj): SdpPayload {
  return {
    type: str(p, 'type', 'sdp_offer'),
    offer_json: str(p, 'offer_json', 'sdp_offer'),
    from_node_id: str(p, 'from_node_id', 'sdp_offer'),
    to_node_id: str(p, 'to_node_id', 'sdp_offer'),
  };
}
function decodeIce(p: Obj): IcePayload {
  return {
    offer_json: str(p, 'offer_json', 'ice_offer'),
    from_node_id: str(p, 'from_node_id', 'ice_offer'),
    to_node_id: str(p, 'to_node_id', 'ice_offer'),
  };
}
function decodeNodeRef(p: Obj, path: string): NodeRef {
  return { node_id: str(p, 'node_id', path) };
}
function decodeError(p: Obj): ErrorPayload {
  const ref = p.ref;
  if (ref !== undefined && ref !== null && typeof ref !== 'string') throw new FieldError('error.ref');
  return { code: str(p, 'code', 'error'), message: str(p, 'message', 'error'), ref: (ref as string) ?? null };
}

/** Decodes one text frame. Payloads are checked in the server's processing order (§2.8). */
export function decodeEnvelope(text: string): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_json', ref: null };
  }
  if (!isObj(raw)) return { ok: false, code: 'bad_json', ref: null };
  const frame: Envelope = {};
  try {
    const reg = obj(raw, 'register');
    if (reg) frame.register = decodeRegister(reg);
    const echo = obj(raw, 'echo');
    if (echo) frame.echo = decodeEcho(echo);
    const attrs = obj(raw, 'attributes_announcement');
    if (attrs) frame.attributes_announcement = decodeAttributes(attrs);
    const rename = obj(raw, 'rename');
    if (rename) frame.rename = decodeRename(rename);
    const sdp = obj(raw, 'sdp_offer');
    if (sdp) frame.sdp_offer = decodeSdp(sdp);
    const ice = obj(raw, 'ice_offer');
    if (ice) frame.ice_offer = decodeIce(ice);
    const nodeId = optStr(raw, 'node_id', '');
    if (nodeId !== undefined) frame.node_id = nodeId;
    const online = obj(raw, 'online');
    if (online) frame.online = decodeNodeRef(online, 'online');
    const offline = obj(raw, 'offline');
    if (offline) frame.offline = decodeNodeRef(offline, 'offline');
    const error = obj(raw, 'error');
    if (error) frame.error = decodeError(error);
    const ticket = raw.turn_ticket;
    if (typeof ticket === 'string' && ticket) frame.turn_ticket = ticket; // anything else: ignored, not an error
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, code: 'bad_field', ref: e.ref.replace(/^\./, '') };
    throw e;
  }
  return { ok: true, frame };
}

/** Canonical JSON text of an envelope: only the fields that are set. */
export function encodeEnvelope(frame: Envelope): string {
  return JSON.stringify(frame);
}

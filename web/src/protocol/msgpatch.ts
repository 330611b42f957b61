// msgpatch TLV patch orders (PROTOCOL.md §7.7): kind(1) | L1(2) | id | L2(2) | value, big-endian.

export type PatchKind = 'append' | 'replace';
export interface PatchOrder { kind: PatchKind; messageId: string; value: string }

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes one binary message; null for unknown kinds, wrong lengths or invalid UTF-8. */
export function decodePatch(buf: ArrayBuffer | Uint8Array): PatchOrder | null {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (b.length < 5) return null;
  const kindByte = b[0];
  if (kindByte !== 0 && kindByte !== 1) return null;
  const l1 = (b[1] << 8) | b[2];
  if (b.length < 5 + l1) return null;
  const l2 = (b[3 + l1] << 8) | b[4 + l1];
  if (b.length !== 5 + l1 + l2) return null;
  try {
    return {
      kind: kindByte === 0 ? 'append' : 'replace',
      messageId: utf8.decode(b.subarray(3, 3 + l1)),
      value: utf8.decode(b.subarray(5 + l1, 5 + l1 + l2)),
    };
  } catch {
    return null;
  }
}

/** Encodes a patch; throws rather than truncating an id or value over 65,535 bytes. */
export function encodePatch(p: PatchOrder): Uint8Array {
  const enc = new TextEncoder();
  const id = enc.encode(p.messageId);
  const val = enc.encode(p.value);
  if (id.length > 0xffff || val.length > 0xffff) throw new RangeError('msgpatch field over 65535 bytes');
  const out = new Uint8Array(5 + id.length + val.length);
  out[0] = p.kind === 'append' ? 0 : 1;
  out[1] = id.length >> 8; out[2] = id.length & 0xff;
  out.set(id, 3);
  out[3 + id.length] = val.length >> 8; out[4 + id.length] = val.length & 0xff;
  out.set(val, 5 + id.length);
  return out;
}

/** Folds a patch into the current text (a message without text starts from ""). */
export const applyPatch = (current: string | undefined, p: PatchOrder): string =>
  p.kind === 'append' ? (current ?? '') + p.value : p.value;

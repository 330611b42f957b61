// ChatMessage on the `chat` and `ping` channels (PROTOCOL.md §7.2–7.6): a tolerant parser that
// drops badly typed optional fields, and builders for everything the client sends.
import { randomUuid } from '../lib/randomId';

export type FileCategory = 'file' | 'image' | 'video' | 'audio' | 'document';

export interface Thumbnail { dataURL: string; mime: string }
export interface FileMeta {
  category: FileCategory;
  name: string;
  type: string;
  size: number;
  dcId: string;
  thumbnail?: Thumbnail;
  sha256?: string;
}

export interface ChatMessage {
  messageId: string;
  fromNodeId?: string;
  toNodeId?: string;
  timestamp?: number;
  message?: string;
  richText?: { content: string; type: string };
  file?: FileMeta;
  ping?: { direction: 'ping' | 'pong'; seq: number };
  ack?: { messageId: string };
  amend?: { messageId: string; newMessageJSON: string };
  delete?: { messageId: string };
}

export type ChatKind = 'ack' | 'amend' | 'delete' | 'ping' | 'pong' | 'file' | 'text' | 'empty';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const CATEGORIES: FileCategory[] = ['file', 'image', 'video', 'audio', 'document'];

function parseFile(v: unknown): FileMeta | undefined {
  if (!isObj(v) || !isStr(v.name) || !isUint(v.size)) return undefined;
  const dcId = isStr(v.dcId) ? v.dcId : isUint(v.dcId) ? String(v.dcId) : undefined;
  if (dcId === undefined) return undefined;
  const meta: FileMeta = {
    category: CATEGORIES.includes(v.category as FileCategory) ? (v.category as FileCategory) : 'file',
    name: v.name,
    type: isStr(v.type) ? v.type : '',
    size: v.size,
    dcId,
  };
  const t = v.thumbnail;
  if (isObj(t) && isStr(t.dataURL) && isStr(t.mime)) meta.thumbnail = { dataURL: t.dataURL, mime: t.mime };
  if (isStr(v.sha256) && /^[0-9a-f]{64}$/.test(v.sha256)) meta.sha256 = v.sha256;
  return meta;
}

/** Parses an object; anything without a string `messageId` is garbage (null). */
export function chatMessageFromObject(raw: unknown): ChatMessage | null {
  if (!isObj(raw) || !isStr(raw.messageId)) return null;
  const m: ChatMessage = { messageId: raw.messageId };
  if (isStr(raw.fromNodeId)) m.fromNodeId = raw.fromNodeId;
  if (isStr(raw.toNodeId)) m.toNodeId = raw.toNodeId;
  if (typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp)) m.timestamp = raw.timestamp;
  if (isStr(raw.message)) m.message = raw.message;
  const rt = raw.richText;
  if (isObj(rt) && isStr(rt.content)) m.richText = { content: rt.content, type: isStr(rt.type) ? rt.type : 'text/plain' };
  const file = parseFile(raw.file);
  if (file) m.file = file;
  const p = raw.ping;
  if (isObj(p) && (p.direction === 'ping' || p.direction === 'pong') && isUint(p.seq)) m.ping = { direction: p.direction, seq: p.seq };
  const ack = raw.ack;
  if (isObj(ack) && isStr(ack.messageId)) m.ack = { messageId: ack.messageId };
  const am = raw.amend;
  if (isObj(am) && isStr(am.messageId) && isStr(am.newMessageJSON)) m.amend = { messageId: am.messageId, newMessageJSON: am.newMessageJSON };
  const del = raw.delete;
  if (isObj(del) && isStr(del.messageId)) m.delete = { messageId: del.messageId };
  return m;
}

export function parseChatMessage(text: string): ChatMessage | null {
  try {
    return chatMessageFromObject(JSON.parse(text));
  } catch {
    return null;
  }
}

/** What a received message asks for, in the precedence of §7.3. */
export function chatKind(m: ChatMessage): ChatKind {
  if (m.ack) return 'ack';
  if (m.amend) return 'amend';
  if (m.delete) return 'delete';
  if (m.ping) return m.ping.direction;
  if (m.file) return 'file';
  if (m.message !== undefined || m.richText) return 'text';
  return 'empty';
}

/** The text shown for a message: `message`, else rich text content (always as plain text). */
export function displayText(m: Pick<ChatMessage, 'message' | 'richText'>): string {
  return m.message ?? m.richText?.content ?? '';
}

export const newId = (): string => randomUuid();

interface Route { from: string; to: string }
const head = (r: Route, now = Date.now()) => ({ messageId: newId(), fromNodeId: r.from, toNodeId: r.to, timestamp: now });

export const buildText = (r: Route, text: string, messageId = newId(), timestamp = Date.now()): ChatMessage =>
  ({ messageId, message: text, timestamp, fromNodeId: r.from, toNodeId: r.to });
export const buildAck = (r: Route, ackedId: string): ChatMessage => ({ ...head(r), ack: { messageId: ackedId } });
export const buildDelete = (r: Route, targetId: string): ChatMessage => ({ ...head(r), delete: { messageId: targetId } });
export const buildAmend = (r: Route, target: ChatMessage, newText: string): ChatMessage => ({
  ...head(r),
  amend: {
    messageId: target.messageId,
    newMessageJSON: JSON.stringify({
      messageId: target.messageId, message: newText, timestamp: target.timestamp,
      fromNodeId: target.fromNodeId, toNodeId: target.toNodeId,
    }),
  },
});
export const buildPing = (r: Route, direction: 'ping' | 'pong', seq: number): ChatMessage => ({ ...head(r), ping: { direction, seq } });
export const buildFileMeta = (r: Route, file: FileMeta, messageId = newId()): ChatMessage =>
  ({ messageId, timestamp: Date.now(), fromNodeId: r.from, toNodeId: r.to, file });

/** The replacement text of an amend, or null when `newMessageJSON` is not an object (§7.4). */
export function amendReplacement(newMessageJSON: string): { message?: string; richText?: ChatMessage['richText'] } | null {
  let raw: unknown;
  try { raw = JSON.parse(newMessageJSON); } catch { return null; }
  if (!isObj(raw)) return null;
  const out: { message?: string; richText?: ChatMessage['richText'] } = {};
  if (isStr(raw.message)) out.message = raw.message;
  const rt = raw.richText;
  if (isObj(rt) && isStr(rt.content)) out.richText = { content: rt.content, type: isStr(rt.type) ? rt.type : 'text/plain' };
  return out;
}

/** Parley senders keep a serialized message within 64 KiB or the peer's max message size (§7.2). */
export const MAX_CHAT_BYTES = 65536;
export function encodeChatMessage(m: ChatMessage, peerMax = MAX_CHAT_BYTES): string | null {
  const text = JSON.stringify(m);
  const bytes = new TextEncoder().encode(text).length;
  return bytes <= Math.min(MAX_CHAT_BYTES, peerMax) ? text : null;
}

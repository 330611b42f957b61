// Data-channel helpers shared by the rtc layer.

export const CHAT = 'chat';
export const PING = 'ping';
export const FILE = 'file';
export const MSGPATCH = 'msgpatch';

/** Largest text message we accept from a peer (thumbnails ride inside file metadata). */
export const MAX_INCOMING_TEXT = 1024 * 1024;

/** Normalises a message event's data to a string or ArrayBuffer; Blobs are converted (§7.1). */
export async function messageData(data: unknown): Promise<string | ArrayBuffer | null> {
  if (typeof data === 'string' || data instanceof ArrayBuffer) return data;
  if (data instanceof Blob) return data.arrayBuffer();
  if (ArrayBuffer.isView(data)) return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return null;
}

/** Senders use the channel they created if it is open, otherwise the most recently opened one (§6.1). */
export function pickChannel(own: RTCDataChannel[], opened: RTCDataChannel[]): RTCDataChannel | null {
  const mine = own.find((c) => c.readyState === 'open');
  if (mine) return mine;
  for (let i = opened.length - 1; i >= 0; i--) if (opened[i].readyState === 'open') return opened[i];
  return null;
}

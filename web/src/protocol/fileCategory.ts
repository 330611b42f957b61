// File categories and safe rendering rules (PROTOCOL.md §7.6 rule 11).
import type { FileCategory } from './chatMessage';

export function categoryForDrop(mime: string): FileCategory {
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('image/')) return 'image';
  return 'file';
}

const INLINE_IMAGES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

export type InlineKind = 'image' | 'video' | 'audio' | null;
export function inlineKind(mime: string): InlineKind {
  const m = mime.toLowerCase().split(';')[0].trim();
  if (INLINE_IMAGES.includes(m)) return 'image';
  if (m.startsWith('video/')) return 'video';
  if (m.startsWith('audio/')) return 'audio';
  return null;
}

export function isSafeThumbnail(dataURL: string): boolean {
  return /^data:image\/(jpeg|png|webp);base64,[A-Za-z0-9+/=]+$/.test(dataURL) && dataURL.length <= 512 * 1024;
}

/** A download name with no path parts, control characters or leading dots. */
export function sanitizeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  let s = name.replace(/[\u0000-\u001f\u007f-\u009f/\\:*?"<>|\u202a-\u202e\u2066-\u2069]/g, '_').trim();
  s = s.replace(/^\.+/, '');
  if (!s) s = 'download';
  return s.slice(0, 200);
}

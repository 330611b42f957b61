// Colour palette and default colour of PROTOCOL.md §10.3.

export interface PaletteEntry { name: string; light: string; dark: string }

export const PALETTE: readonly PaletteEntry[] = [
  { name: 'red', light: '#EF9A9A', dark: '#F44336' },
  { name: 'pink', light: '#F48FB1', dark: '#E91E63' },
  { name: 'purple', light: '#CE93D8', dark: '#9C27B0' },
  { name: 'deep purple', light: '#B39DDB', dark: '#673AB7' },
  { name: 'indigo', light: '#9FA8DA', dark: '#3F51B5' },
  { name: 'blue', light: '#90CAF9', dark: '#2196F3' },
  { name: 'cyan', light: '#80DEEA', dark: '#00BCD4' },
  { name: 'teal', light: '#80CBC4', dark: '#009688' },
  { name: 'green', light: '#A5D6A7', dark: '#4CAF50' },
  { name: 'orange', light: '#FFCC80', dark: '#FF9800' },
];

/** h = h*31 + c over UTF-16 code units, wrapped to int32; index = |h| mod 10. */
export function colourIndexForName(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  // |-2^31| is 2^31, which a 32-bit abs cannot hold: use a double.
  return Math.abs(h) % 10;
}

export function parseColourIndex(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 9) return v;
  if (typeof v === 'string' && /^[0-9]$/.test(v)) return Number(v);
  return undefined;
}

export function colourIndexForPeer(name: string, preferredColor?: string): number {
  return parseColourIndex(preferredColor) ?? colourIndexForName(name);
}

/** Letter avatar: the upper-cased first character (a whole code point, so emoji survive). */
export function avatarLetter(name: string): string {
  const first = Array.from(name.trim())[0] ?? '?';
  return first.toUpperCase();
}

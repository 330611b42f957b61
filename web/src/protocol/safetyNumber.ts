// The safety number of a connection (docs/PROTOCOL-EXTENSIONS.md, "Safety numbers"): SHA-256 over
// the two DTLS fingerprints, sorted, as 60 decimal digits. Both ends of an honest connection
// compute the same number; a server that put its own peer connection in between cannot make them
// agree. hash-wasm rather than crypto.subtle: the page must also work on plain http, where
// crypto.subtle does not exist.
import { sha256 } from 'hash-wasm';

export const SAFETY_DIGITS = 60;
const GROUP = 5;

/** The 60 digits, without spaces. */
export async function safetyDigits(ownFingerprint: string, peerFingerprint: string): Promise<string> {
  const [a, b] = [ownFingerprint, peerFingerprint].sort(byteOrder);
  const hex = await sha256(`${a}\n${b}`);
  return (BigInt(`0x${hex}`) % 10n ** BigInt(SAFETY_DIGITS)).toString().padStart(SAFETY_DIGITS, '0');
}

/** The 60 digits in 12 groups of 5, as people compare them. */
export function groupDigits(digits: string): string[] {
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += GROUP) groups.push(digits.slice(i, i + GROUP));
  return groups;
}

/** Sorting as byte strings: fingerprints are ASCII, so UTF-16 code unit order is byte order. */
function byteOrder(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

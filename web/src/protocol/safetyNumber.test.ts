import { describe, expect, it } from 'vitest';
import { loadFixture } from './fixtures';
import { groupDigits, safetyDigits } from './safetyNumber';
import { sdpFingerprint } from './sdpFingerprint';

interface Fixture {
  fingerprints: { name: string; sdp: string; fingerprint: string | null }[];
  codes: { name: string; a: string; b: string; code: string }[];
}
const fx = loadFixture<Fixture>('peer/safety_numbers.json');

describe('sdpFingerprint (shared vectors)', () => {
  for (const c of fx.fingerprints) {
    it(c.name, () => expect(sdpFingerprint(c.sdp)).toBe(c.fingerprint));
  }
});

describe('safety number (shared vectors)', () => {
  for (const c of fx.codes) {
    it(c.name, async () => {
      const digits = await safetyDigits(c.a, c.b);
      expect(digits).toMatch(/^\d{60}$/);
      expect(groupDigits(digits).join(' ')).toBe(c.code);
    });
  }
  it('differs when either side differs', async () => {
    const [x, y] = fx.codes;
    expect(await safetyDigits(x.a, x.b)).not.toBe(await safetyDigits(x.a, x.b.replace('FF', 'FE')));
    expect(await safetyDigits(y.a, y.b)).toBe(await safetyDigits(y.b, y.a));
  });
});

import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from './envelope';
import { loadFixture } from './fixtures';

const valid = loadFixture<{ name: string; frame: unknown }[]>('signalling/valid.json');
const tolerated = loadFixture<{ name: string; text: string; canonical: unknown }[]>('signalling/tolerated.json');
const invalid = loadFixture<{ name: string; text: string; code: string; ref: string | null }[]>('signalling/invalid.json');

describe('signalling envelope against shared fixtures', () => {
  it('has fixtures', () => expect(valid.length + tolerated.length + invalid.length).toBeGreaterThan(20));

  it.each(valid.map((v) => [v.name, v] as const))('valid: %s round-trips', (_n, v) => {
    const r = decodeEnvelope(JSON.stringify(v.frame));
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(encodeEnvelope(r.frame))).toEqual(v.frame);
  });

  it.each(tolerated.map((v) => [v.name, v] as const))('tolerated: %s', (_n, v) => {
    const r = decodeEnvelope(v.text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(encodeEnvelope(r.frame))).toEqual(v.canonical);
  });

  it.each(invalid.map((v) => [v.name, v] as const))('invalid: %s', (_n, v) => {
    expect(decodeEnvelope(v.text)).toEqual({ ok: false, code: v.code, ref: v.ref });
  });
});

import { describe, expect, it } from 'vitest';
import { applyPatch, decodePatch, encodePatch } from './msgpatch';
import { hex, loadFixture } from './fixtures';

const fx = loadFixture<{ valid: { name: string; hex: string; kind: 'append' | 'replace'; messageId: string; value: string }[]; invalid: { name: string; hex: string }[] }>(
  'datachannel/msgpatch.json',
);

describe('msgpatch TLV against shared fixtures', () => {
  it.each(fx.valid.map((v) => [v.name, v] as const))('decodes and re-encodes: %s', (_n, v) => {
    const order = { kind: v.kind, messageId: v.messageId, value: v.value };
    expect(decodePatch(hex(v.hex))).toEqual(order);
    expect(Array.from(encodePatch(order))).toEqual(Array.from(hex(v.hex)));
  });
  it.each(fx.invalid.map((v) => [v.name, v] as const))('rejects: %s', (_n, v) => {
    expect(decodePatch(hex(v.hex))).toBeNull();
  });
  it('rejects invalid UTF-8 and oversized fields', () => {
    expect(decodePatch(new Uint8Array([1, 0, 1, 0xff, 0, 0]))).toBeNull();
    expect(() => encodePatch({ kind: 'replace', messageId: 'x', value: 'a'.repeat(65536) })).toThrow(RangeError);
  });
  it('folds append and replace', () => {
    expect(applyPatch(undefined, { kind: 'append', messageId: 'm', value: 'a' })).toBe('a');
    expect(applyPatch('ab', { kind: 'append', messageId: 'm', value: 'c' })).toBe('abc');
    expect(applyPatch('ab', { kind: 'replace', messageId: 'm', value: 'z' })).toBe('z');
  });
});

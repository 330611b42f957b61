import { describe, expect, it } from 'vitest';
import { FeedbackWordReader, encodeWord, encodeWords } from './feedbackWords';
import { hex, loadFixture } from './fixtures';

const fx = loadFixture<{ name: string; chunks: string[]; words: number[] }[]>('datachannel/feedback_words.json');

describe('file feedback words against shared fixtures', () => {
  it.each(fx.map((v) => [v.name, v] as const))('%s', (_n, v) => {
    const r = new FeedbackWordReader();
    const words = v.chunks.flatMap((c) => r.push(hex(c)));
    expect(words).toEqual(v.words);
  });
  it('encodes big-endian words that the reader reads back', () => {
    const r = new FeedbackWordReader();
    expect(r.push(encodeWord(65536))).toEqual([65536]);
    expect(Array.from(new Uint8Array(encodeWord(0x01020304)))).toEqual([1, 2, 3, 4]);
  });
  it('encodes several words in one message, read back as the same words', () => {
    const r = new FeedbackWordReader();
    const batch = encodeWords([65536, 1, 0xfffffffe]);
    expect(batch.byteLength).toBe(12);
    expect(r.push(batch)).toEqual([65536, 1, 0xfffffffe]);
  });
});

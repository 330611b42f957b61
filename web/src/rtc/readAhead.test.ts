import { describe, expect, it } from 'vitest';
import { readAhead } from './readAhead';

describe('readAhead', () => {
  it('yields every byte in order, in slices', async () => {
    const bytes = new Uint8Array(10).map((_, i) => i);
    const out: number[][] = [];
    for await (const s of readAhead(new Blob([bytes]), 4)) out.push(Array.from(new Uint8Array(s)));
    expect(out).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  it('yields nothing for an empty Blob', async () => {
    let n = 0;
    for await (const _ of readAhead(new Blob([]), 4)) n++;
    expect(n).toBe(0);
  });

  it('has the next slice read while the caller holds this one, never more than one ahead', async () => {
    const started: number[] = [];
    const blob = { size: 12, slice: (a: number, b: number) => ({ arrayBuffer: () => { started.push(a); return Promise.resolve(new ArrayBuffer(b - a)); } }) } as unknown as Blob;
    const seen: number[][] = [];
    for await (const _ of readAhead(blob, 4)) seen.push([...started]);
    expect(seen).toEqual([[0, 4], [0, 4, 8], [0, 4, 8]]);
  });

  it('a failed read ahead of a caller that stopped early is not an unhandled rejection', async () => {
    const blob = { size: 8, slice: (a: number) => ({ arrayBuffer: () => (a === 0 ? Promise.resolve(new ArrayBuffer(4)) : Promise.reject(new Error('gone'))) }) } as unknown as Blob;
    for await (const _ of readAhead(blob, 4)) break;
    await new Promise((r) => setTimeout(r, 10)); // vitest fails the run on an unhandled rejection
  });
});

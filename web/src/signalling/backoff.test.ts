import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff';

describe('reconnect backoff', () => {
  it('doubles from 1 s to a 30 s cap', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((a) => reconnectDelayMs(a, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });
  it('jitters within ±20 %', () => {
    expect(reconnectDelayMs(0, () => 0)).toBe(800);
    expect(reconnectDelayMs(0, () => 0.999999)).toBe(1200);
  });
});

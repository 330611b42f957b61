import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectiveIceState, IceRestartPolicy } from './iceRestart';

afterEach(() => vi.useRealTimers());

describe('ICE restart policy', () => {
  it('backs off 1,2,4,8,16 s and then gives up', () => {
    vi.useFakeTimers();
    const restarts: number[] = [];
    let gaveUp = false;
    const p = new IceRestartPolicy(() => restarts.push(Date.now()), () => { gaveUp = true; });
    const t0 = Date.now();
    for (const d of [1000, 2000, 4000, 8000, 16000]) {
      p.onIceState('checking'); // each restart checks again, then fails again
      p.onIceState('failed');
      vi.advanceTimersByTime(d - 1);
      const before = restarts.length;
      vi.advanceTimersByTime(1);
      expect(restarts.length).toBe(before + 1);
    }
    expect(restarts.length).toBe(5);
    p.onIceState('checking');
    p.onIceState('failed');
    expect(gaveUp).toBe(true);
    expect(restarts[0] - t0).toBe(1000);
  });
  it('resets on connected', () => {
    vi.useFakeTimers();
    let n = 0;
    const p = new IceRestartPolicy(() => n++, () => {});
    p.onIceState('failed');
    vi.advanceTimersByTime(1000);
    p.onIceState('connected');
    p.onIceState('failed');
    vi.advanceTimersByTime(999);
    expect(n).toBe(1);
    vi.advanceTimersByTime(1);
    expect(n).toBe(2);
  });
  it('counts a failure once, however many events repeat it', () => {
    vi.useFakeTimers();
    let n = 0;
    const p = new IceRestartPolicy(() => n++, () => {});
    p.onIceState('failed');
    vi.advanceTimersByTime(1000);
    p.onIceState('failed'); // the other state's event: the same failure, still being restarted
    vi.advanceTimersByTime(60_000);
    expect(n).toBe(1);
  });
  it('takes a failed connection state as failed (Chromium leaves ICE at disconnected)', () => {
    expect(effectiveIceState('disconnected', 'failed')).toBe('failed');
    expect(effectiveIceState('failed', 'connecting')).toBe('failed');
    expect(effectiveIceState('checking', 'connecting')).toBe('checking');
    expect(effectiveIceState('connected', 'connected')).toBe('connected');
  });
});

// Speed and time-left estimates for a transfer, smoothed over a short sliding window.

export interface TransferProgress { bytes: number; total: number; bytesPerSec: number; etaSec: number | null }

export class RateMeter {
  private samples: { t: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 2000) {}

  sample(bytes: number, total: number, now = performance.now()): TransferProgress {
    this.samples.push({ t: now, bytes });
    while (this.samples.length > 2 && now - this.samples[0].t > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const dt = (now - first.t) / 1000;
    const rate = dt > 0.05 ? (bytes - first.bytes) / dt : 0;
    const left = total - bytes;
    return { bytes, total, bytesPerSec: rate, etaSec: rate > 0 ? left / rate : left === 0 ? 0 : null };
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatEta(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '—';
  if (sec < 60) return `${Math.ceil(sec)} s`;
  const m = Math.floor(sec / 60);
  return `${m} min ${Math.ceil(sec - m * 60)} s`;
}

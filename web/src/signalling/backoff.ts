// Reconnect delays (PROTOCOL.md §2.11): 1 s doubling to 30 s, with ±20 % jitter.

export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  const jitter = 1 + (random() * 2 - 1) * 0.2;
  return Math.round(base * jitter);
}

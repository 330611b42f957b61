import { describe, expect, it } from 'vitest';
import { credentialExpiry, IceServerSource, parseIceServers, reusable } from './iceCredentials';

const turn = (expiry: number) => ({ urls: ['turn:turn.example:3478'], username: `${expiry}:abcd`, credential: 'c2VjcmV0' });
const ok = (body: unknown) => Promise.resolve(new Response(JSON.stringify(body), { status: 200 }));

describe('TURN credentials from iceServersEndpoint (§3.11, §10.1)', () => {
  it('reads the expiry from coturn REST usernames', () => {
    expect(credentialExpiry([turn(1_900_000_000)])).toBe(1_900_000_000_000);
    expect(credentialExpiry([turn(1_900_000_100), turn(1_900_000_000), { urls: 'stun:s' }])).toBe(1_900_000_000_000);
    expect(credentialExpiry([{ urls: 'turn:x', username: 'static', credential: 'y' }])).toBeNull();
    expect(credentialExpiry([{ urls: 'stun:s' }])).toBeNull();
  });
  it('reuses a list only in the first half of its lifetime and not near its expiry', () => {
    const f = { servers: [], fetchedAt: 0, expiresAt: 24 * 3600_000 };
    expect(reusable(f, 1000)).toBe(true);
    expect(reusable(f, 12 * 3600_000 - 1)).toBe(true);
    expect(reusable(f, 12 * 3600_000)).toBe(false);
    expect(reusable({ servers: [], fetchedAt: 0, expiresAt: 100_000 }, 45_000)).toBe(false); // young, but under a minute left
    expect(reusable({ servers: [], fetchedAt: 0, expiresAt: null }, 1)).toBe(false);
  });
  it('validates the body', () => {
    expect(parseIceServers({ iceServers: [turn(1), { urls: 5 }, null, { urls: 'stun:a', username: 3 }] })).toEqual([turn(1)]);
    expect(parseIceServers({})).toEqual([]);
  });
  it('fetches per connection unless the cached credentials are young, and shares one request', async () => {
    const now = Date.now();
    let calls = 0;
    let expiry = Math.floor(now / 1000) + 24 * 3600;
    const src = new IceServerSource('/ice-servers', () => { calls++; return ok({ iceServers: [turn(expiry)] }); });
    const [a, b] = await Promise.all([src.get(), src.get()]);
    expect(calls).toBe(1);
    expect(a).toBe(b);
    expect(await src.get()).toBe(a); // young: reused
    expect(calls).toBe(1);
    expect(await src.get(now + 13 * 3600_000)).not.toBeNull(); // past half-life: fetched again
    expect(calls).toBe(2);
    // Credentials without a readable expiry are fetched for every connection.
    expiry = 0;
    const plain = new IceServerSource('/ice-servers', () => { calls++; return ok({ iceServers: [{ urls: 'turn:x', username: 'u', credential: 'p' }] }); });
    await plain.get();
    await plain.get();
    expect(plain.fetches).toBe(2);
  });
  it('sends the headers it is given at each fetch (the turn ticket of the current registration)', async () => {
    const seen: (string | null)[] = [];
    let ticket = 'n1.aa';
    const src = new IceServerSource('/ice-servers', (_u, init) => {
      seen.push(new Headers(init.headers).get('X-Parley-Turn-Ticket'));
      return ok({ iceServers: [{ urls: 'turn:x', username: 'u', credential: 'p' }] });
    }, 5000, () => ({ 'X-Parley-Turn-Ticket': ticket }));
    await src.get();
    ticket = 'n2.bb';
    await src.get();
    expect(seen).toEqual(['n1.aa', 'n2.bb']);
  });
  it('falls back to nothing (the static list) when the endpoint fails', async () => {
    const src = new IceServerSource('/ice-servers', () => Promise.resolve(new Response('no', { status: 404 })));
    expect(await src.get()).toBeNull();
    const broken = new IceServerSource('/ice-servers', () => Promise.reject(new Error('offline')));
    expect(await broken.get()).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { offersTurn, unreachableHint } from './reachability';
import type { ServerEntry } from '../protocol/serversJson';

const entry = (e: Partial<ServerEntry>): ServerEntry => ({ iceServers: [], ...e }) as ServerEntry;

describe('offersTurn', () => {
  it('is false without a server, with STUN only, or with nothing', () => {
    expect(offersTurn(undefined)).toBe(false);
    expect(offersTurn(entry({}))).toBe(false);
    expect(offersTurn(entry({ iceServers: ['stun:stun.example.org:3478'] }))).toBe(false);
    expect(offersTurn(entry({ rtcIceServers: [{ urls: ['stun:a.example'] }] }))).toBe(false);
  });
  it('is true with an iceServersEndpoint or a static turn:/turns: URL', () => {
    expect(offersTurn(entry({ iceServersEndpoint: '/ice-servers' }))).toBe(true);
    expect(offersTurn(entry({ rtcIceServers: [{ urls: 'turn:t.example:3478', username: 'u', credential: 'c' }] }))).toBe(true);
    expect(offersTurn(entry({ rtcIceServers: [{ urls: ['stun:s.example', 'TURNS:t.example:5349'] }] }))).toBe(true);
  });
});

describe('unreachableHint', () => {
  it('names the peer and suggests TURN when the server has none', () => {
    const s = unreachableHint('kim', false);
    expect(s).toContain("Can't reach kim directly");
    expect(s).toContain('no TURN relay');
    expect(s).toContain('docs/DEPLOYMENT.md');
  });
  it('does not suggest TURN when the server already offers it', () => {
    const s = unreachableHint('kim', true);
    expect(s).toContain("Can't reach kim");
    expect(s).not.toContain('set one up');
  });
});

import { describe, expect, it } from 'vitest';
import { avatarLetter, colourIndexForName, colourIndexForPeer, PALETTE } from './palette';
import { isPoliteToward } from './negotiationRole';
import { parseServers, resolveWsUrl, iceServersOf } from './serversJson';
import { parseConns } from './conns';
import { categoryForDrop, inlineKind, isSafeThumbnail, sanitizeFileName } from './fileCategory';

describe('palette §10.3', () => {
  it('has ten colours', () => expect(PALETTE).toHaveLength(10));
  it('hashes names like the original (h*31+c, int32, |h| mod 10)', () => {
    // Reference computed by hand: "a" = 97 -> 7; "ab" = 97*31+98 = 3105 -> 5.
    expect(colourIndexForName('a')).toBe(7);
    expect(colourIndexForName('ab')).toBe(5);
    expect(colourIndexForName('')).toBe(0);
    // A long name wraps around int32 and still lands in 0..9.
    const i = colourIndexForName('a very long name that overflows 32 bits many times');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(i).toBeLessThan(10);
  });
  it('prefers a valid preferred_color', () => {
    expect(colourIndexForPeer('ab', '3')).toBe(3);
    expect(colourIndexForPeer('ab', '12')).toBe(5);
    expect(colourIndexForPeer('ab', 'x')).toBe(5);
  });
  it('letter avatar', () => {
    expect(avatarLetter('bob')).toBe('B');
    expect(avatarLetter('🎉x')).toBe('🎉');
  });
});

describe('politeness §6.3', () => {
  it('perfect peers agree by id order', () => {
    const attrs = { negotiation: 'perfect' };
    expect(isPoliteToward('a', 'b', attrs)).toBe(true);
    expect(isPoliteToward('b', 'a', attrs)).toBe(false);
  });
  it('bots and original clients', () => {
    expect(isPoliteToward('z', 'a', { negotiation: 'impolite' })).toBe(true);
    expect(isPoliteToward('a', 'z', { support_attachment: 'true' })).toBe(false);
    expect(isPoliteToward('z', 'a', {})).toBe(true);
  });
});

describe('servers.json §10.1', () => {
  it('parses entries and skips garbage', () => {
    const s = parseServers([{ url: '/api/ws', name: 'P', id: 'main', iceServers: ['stun:x'], apiPrefix: '/api', idp: [], allowAnonymous: true }, 5, { url: 1 }]);
    expect(s).toHaveLength(1);
    expect(iceServersOf(s[0])).toEqual([{ urls: ['stun:x'] }]);
    expect(parseServers({})).toEqual([]);
  });
  it('resolves ws URLs', () => {
    expect(resolveWsUrl('/api/ws', { protocol: 'https:', host: 'h:1' })).toBe('wss://h:1/api/ws');
    expect(resolveWsUrl('/api/ws', { protocol: 'http:', host: 'h' })).toBe('ws://h/api/ws');
    expect(resolveWsUrl('ws://o/ws', { protocol: 'https:', host: 'h' })).toBe('ws://o/ws');
  });
});

describe('/conns §3.3', () => {
  it('keeps valid entries and string attributes only', () => {
    const c = parseConns({ a: { node_name: 'x', registered_at: 5, attributes: { k: 'v', n: 1 }, authentication: 'none' }, b: 7, c: { node_name: 3 } });
    expect(c).toEqual([{ nodeId: 'a', nodeName: 'x', registeredAt: 5, attributes: { k: 'v' }, authentication: 'none', username: undefined, isBot: false }]);
    expect(parseConns([])).toEqual([]);
  });
});

describe('file safety §7.6', () => {
  it('categories and inline kinds', () => {
    expect(categoryForDrop('video/mp4')).toBe('video');
    expect(categoryForDrop('image/svg+xml')).toBe('image');
    expect(inlineKind('image/svg+xml')).toBeNull();
    expect(inlineKind('text/html')).toBeNull();
    expect(inlineKind('image/png')).toBe('image');
  });
  it('thumbnails and names', () => {
    expect(isSafeThumbnail('data:image/jpeg;base64,/9j/4AAQ')).toBe(true);
    expect(isSafeThumbnail('data:image/svg+xml;base64,PHN2Zz4=')).toBe(false);
    expect(isSafeThumbnail('javascript:alert(1)')).toBe(false);
    expect(sanitizeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(sanitizeFileName('')).toBe('download');
  });
});

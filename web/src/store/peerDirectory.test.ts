import { describe, expect, it } from 'vitest';
import { buildPeers, convKeyOf, followSelection } from './peerDirectory';
import type { ConnEntry } from '../protocol/conns';

const entry = (nodeId: string, nodeName: string, extra: Partial<ConnEntry> = {}): ConnEntry => ({
  nodeId, nodeName, registeredAt: 1, attributes: {}, authentication: 'none', isBot: false, ...extra,
});

describe('peer directory', () => {
  it('leaves out our own node and colours peers', () => {
    const peers = buildPeers([entry('me', 'alice'), entry('b', 'ab', { attributes: { preferred_color: '2' } }), entry('c', 'ab')], 'me', {}, () => undefined);
    expect(Object.keys(peers).sort()).toEqual(['b', 'c']);
    expect(peers.b.colourIndex).toBe(2);
    expect(peers.c.colourIndex).toBe(5); // the name hash of "ab"
  });
  it('keys conversations by username, else by name, and keeps the key across a rename', () => {
    expect(convKeyOf({ username: 'Alice', nodeName: 'x' })).toBe('u:alice');
    expect(convKeyOf({ nodeName: 'bob' })).toBe('n:bob');
    const first = buildPeers([entry('b', 'bob')], 'me', {}, () => undefined);
    const renamed = buildPeers([entry('b', 'robert')], 'me', first, () => undefined);
    expect(renamed.b.conv).toBe('n:bob');
    expect(renamed.b.name).toBe('robert');
  });
  it('uses display names only for authenticated peers', () => {
    const names = (n: string) => (n === 'carol' ? 'Carol C.' : undefined);
    const peers = buildPeers([entry('a', 'carol', { authentication: 'session', username: 'carol' }), entry('b', 'carol')], 'me', {}, names);
    expect(peers.a.displayName).toBe('Carol C.');
    expect(peers.b.displayName).toBe('carol');
  });
  it('follows the open chat to the peer that took over its conversation', () => {
    const peers = buildPeers([entry('new', 'bob')], 'me', {}, () => undefined);
    expect(followSelection('old', 'n:bob', peers)).toBe('new');
    expect(followSelection('old', 'n:zed', peers)).toBe('old');
    expect(followSelection('new', 'n:bob', peers)).toBe('new');
    expect(followSelection(undefined, 'n:bob', peers)).toBeUndefined();
  });
});

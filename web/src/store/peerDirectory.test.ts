import { describe, expect, it } from 'vitest';
import { buildPeers, convKeyOf, followSelection, isProvisionalConv } from './peerDirectory';
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
  it('keys conversations by username, else certificate (provisional until known), else name', () => {
    expect(convKeyOf(entry('x', 'x', { username: 'Alice', authentication: 'session', attributes: { negotiation: 'perfect' } }))).toBe('u:alice');
    expect(convKeyOf(entry('n1', 'bob', { attributes: { negotiation: 'perfect' } }))).toBe('p:n1');
    expect(isProvisionalConv('p:n1')).toBe(true);
    expect(convKeyOf(entry('n2', 'bob', { attributes: { support_attachment: 'true' } }))).toBe('n:bob'); // original web client
    expect(convKeyOf(entry('n3', 'EchoBot', { attributes: { negotiation: 'impolite' } }))).toBe('n:EchoBot'); // anonymous bot
  });
  it('keeps the key across a rename', () => {
    const first = buildPeers([entry('b', 'bob')], 'me', {}, () => undefined);
    const renamed = buildPeers([entry('b', 'robert')], 'me', first, () => undefined);
    expect(renamed.b.conv).toBe('n:bob');
    expect(renamed.b.name).toBe('robert');
    const identified = { b: { ...first.b, conv: 'k:abcd' } };
    expect(buildPeers([entry('b', 'robert', { attributes: { negotiation: 'perfect' } })], 'me', identified, () => undefined).b.conv).toBe('k:abcd');
  });
  it('uses display names only for authenticated peers', () => {
    const names = (n: string) => (n === 'carol' ? { displayName: 'Carol C.', avatar: '/api/profile/avatar?username=carol' } : undefined);
    const peers = buildPeers([entry('a', 'carol', { authentication: 'session', username: 'carol' }), entry('b', 'carol')], 'me', {}, names);
    expect(peers.a.displayName).toBe('Carol C.');
    expect(peers.a.avatar).toBe('/api/profile/avatar?username=carol');
    expect(peers.b.displayName).toBe('carol');
    expect(peers.b.avatar).toBeUndefined();
  });
  it('follows the open chat to the peer that came back', () => {
    const before = buildPeers([entry('old', 'bob')], 'me', {}, () => undefined).old;
    const peers = buildPeers([entry('new', 'bob')], 'me', {}, () => undefined);
    expect(followSelection('old', before, peers)).toBe('new');
    expect(followSelection('old', { ...before, conv: 'n:zed' }, peers)).toBe('old');
    expect(followSelection('new', before, peers)).toBe('new');
    expect(followSelection(undefined, before, peers)).toBeUndefined();
  });
  it('follows an anonymous Parley peer by name and colour until its certificate is known', () => {
    const perfect = { attributes: { negotiation: 'perfect', preferred_color: '3' } };
    const before = { ...buildPeers([entry('old', 'dora', perfect)], 'me', {}, () => undefined).old, conv: 'k:1234' };
    const back = buildPeers([entry('new', 'dora', perfect)], 'me', {}, () => undefined);
    expect(followSelection('old', before, back)).toBe('new');
    const otherColour = buildPeers([entry('new', 'dora', { attributes: { negotiation: 'perfect', preferred_color: '4' } })], 'me', {}, () => undefined);
    expect(followSelection('old', before, otherColour)).toBe('old');
    // A signed-in peer is followed by its key only.
    const user = { ...before, username: 'dora', conv: 'u:dora' };
    expect(followSelection('old', user, back)).toBe('old');
  });
});

import { describe, expect, it } from 'vitest';
import { append, applyAmend, applyDelete, applyPatchOrder, MAX_IN_MEMORY, PatchBuffer } from './conversation';
import { matchesSearch, sortPeers, unreadCount } from './peerOrder';
import type { PeerView } from './types';
import type { StoredMessage } from './records';

const msg = (id: string, author: 'me' | 'peer', text = 'x', timestamp = 1): StoredMessage => ({ messageId: id, conv: 'c', author, timestamp, text });
const amend = (target: string, json: string) => ({ messageId: 'a', amend: { messageId: target, newMessageJSON: json } });

describe('conversation updates', () => {
  it('dedupes and bounds memory', () => {
    let l: StoredMessage[] = [];
    l = append(l, msg('1', 'peer'));
    l = append(l, msg('1', 'peer'));
    expect(l).toHaveLength(1);
    for (let i = 0; i < MAX_IN_MEMORY + 20; i++) l = append(l, msg(`m${i}`, 'peer', 'x', i + 2));
    expect(l).toHaveLength(MAX_IN_MEMORY);
    expect(l.at(-1)!.messageId).toBe(`m${MAX_IN_MEMORY + 19}`);
  });
  it('applies an amend from the author only, keeping id and author', () => {
    const l = [msg('p', 'peer', 'old'), msg('m', 'me', 'mine')];
    const [l2, changed] = applyAmend(l, amend('p', '{"messageId":"zzz","message":"new","fromNodeId":"evil"}'));
    expect(changed).toMatchObject({ messageId: 'p', author: 'peer', text: 'new', edited: true });
    expect(applyAmend(l2, amend('m', '{"message":"hijack"}'))[1]).toBeNull();
    expect(applyAmend(l2, amend('p', '"str"'))[1]).toBeNull();
    expect(applyAmend(l2, amend('nope', '{"message":"x"}'))[1]).toBeNull();
  });
  it('deletes only the peer\'s own messages', () => {
    const l = [msg('p', 'peer'), msg('m', 'me')];
    expect(applyDelete(l, { messageId: 'd', delete: { messageId: 'm' } })[1]).toBeNull();
    const [l2, gone] = applyDelete(l, { messageId: 'd', delete: { messageId: 'p' } });
    expect(gone).toBe('p');
    expect(l2.map((x) => x.messageId)).toEqual(['m']);
  });
  it('patches only peer messages and reports unknown ids', () => {
    const l = [msg('p', 'peer', 'a'), msg('m', 'me', 'b')];
    expect(applyPatchOrder(l, { kind: 'append', messageId: 'p', value: 'c' })![1]!.text).toBe('ac');
    expect(applyPatchOrder(l, { kind: 'replace', messageId: 'm', value: 'x' })![1]).toBeNull();
    expect(applyPatchOrder(l, { kind: 'replace', messageId: 'later', value: 'x' })).toBeNull();
  });
  it('buffers early patches, bounded in count and time', () => {
    const b = new PatchBuffer(3, 10_000);
    b.add({ kind: 'append', messageId: 'x', value: 'a' }, 0);
    b.add({ kind: 'append', messageId: 'x', value: 'b' }, 1);
    expect(b.size).toBe(1);
    for (const id of ['p', 'q', 'r']) b.add({ kind: 'replace', messageId: id, value: id }, 2);
    expect(b.size).toBe(3);
    expect(b.take('x', 3)).toEqual([]); // evicted by the bound
    expect(b.take('r', 5)).toEqual([{ kind: 'replace', messageId: 'r', value: 'r' }]);
    b.add({ kind: 'replace', messageId: 'y', value: 'v' }, 100);
    expect(b.take('y', 20_000)).toEqual([]); // expired
  });
});

describe('peer order and search', () => {
  const peer = (id: string, name: string, registeredAt: number): PeerView => ({
    nodeId: id, name, displayName: name, colourIndex: 0, registeredAt, attributes: {}, authentication: 'none', isBot: false, conv: `n:${name}`,
  });
  it('unread first, then last message, then registration', () => {
    const peers = [peer('1', 'a', 1), peer('2', 'b', 2), peer('3', 'c', 3), peer('4', 'd', 4)];
    const conv = {
      'n:a': [{ ...msg('x', 'peer', 'x', 50), unread: true }],
      'n:b': [{ ...msg('y', 'peer', 'y', 90) }],
      'n:c': [{ ...msg('z', 'peer', 'z', 10), unread: true }],
    };
    expect(sortPeers(peers, conv).map((p) => p.name)).toEqual(['a', 'c', 'b', 'd']);
    expect(unreadCount(conv['n:a'])).toBe(1);
  });
  it('search is case-insensitive on name and display name', () => {
    const p = { ...peer('1', 'EchoBot', 1), displayName: 'Echo Robot' };
    expect(matchesSearch(p, 'echob')).toBe(true);
    expect(matchesSearch(p, 'ROBOT')).toBe(true);
    expect(matchesSearch(p, 'zzz')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { amendReplacement, buildAck, buildAmend, chatKind, encodeChatMessage, parseChatMessage } from './chatMessage';
import { loadFixture } from './fixtures';

const fx = loadFixture<{ valid: { name: string; kind: string; json: Record<string, unknown> }[]; ignored: { name: string; text: string }[] }>(
  'datachannel/chat_messages.json',
);

describe('ChatMessage against shared fixtures', () => {
  it.each(fx.valid.map((v) => [v.name, v] as const))('valid: %s', (_n, v) => {
    const m = parseChatMessage(JSON.stringify(v.json));
    expect(m).not.toBeNull();
    expect(chatKind(m!)).toBe(v.kind);
    // Everything Parley knows survives a round trip; legacy local-only fields are dropped.
    const { acked: _a, unread: _u, ...known } = v.json;
    expect(JSON.parse(JSON.stringify(m))).toEqual(known);
  });

  it.each(fx.ignored.map((v) => [v.name, v] as const))('ignored: %s', (_n, v) => {
    expect(parseChatMessage(v.text)).toBeNull();
  });
});

describe('ChatMessage hostile input', () => {
  it('drops badly typed optional fields instead of failing', () => {
    const m = parseChatMessage('{"messageId":"x","message":5,"file":{"name":1},"ack":"y","ping":{"direction":"ping","seq":-1}}');
    expect(m).toEqual({ messageId: 'x' });
    expect(chatKind(m!)).toBe('empty');
  });
  it('rejects an unsafe sha256 string', () => {
    const m = parseChatMessage('{"messageId":"x","file":{"name":"a","size":1,"dcId":"1","sha256":"<script>"}}');
    expect(m?.file?.sha256).toBeUndefined();
  });
  it('ignores an amend replacement that is not an object', () => {
    expect(amendReplacement('[1]')).toBeNull();
    expect(amendReplacement('nope')).toBeNull();
    expect(amendReplacement('{"message":"new","fromNodeId":"evil"}')).toEqual({ message: 'new' });
  });
  it('builds ACK and amend per §7.3/§7.4', () => {
    const r = { from: 'A', to: 'B' };
    const ack = buildAck(r, 'm1');
    expect(ack).toMatchObject({ fromNodeId: 'A', toNodeId: 'B', ack: { messageId: 'm1' } });
    expect(ack.messageId).not.toBe('m1');
    const am = buildAmend(r, { messageId: 'm1', message: 'old', timestamp: 5, fromNodeId: 'A', toNodeId: 'B' }, 'new');
    expect(JSON.parse(am.amend!.newMessageJSON)).toEqual({ messageId: 'm1', message: 'new', timestamp: 5, fromNodeId: 'A', toNodeId: 'B' });
  });
  it('refuses to encode a message over the size limit', () => {
    expect(encodeChatMessage({ messageId: 'x', message: 'a'.repeat(70000) })).toBeNull();
    expect(encodeChatMessage({ messageId: 'x', message: 'a'.repeat(100) }, 50)).toBeNull();
    expect(encodeChatMessage({ messageId: 'x', message: 'hi' })).toBe('{"messageId":"x","message":"hi"}');
  });
});

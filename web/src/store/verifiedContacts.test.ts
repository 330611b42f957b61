import { describe, expect, it } from 'vitest';
import { contactKeyOf, statusOf, withVerified } from './verifiedContacts';
import type { VerifiedContact } from './records';

const FP1 = 'sha-256 11:11';
const FP2 = 'sha-256 22:22';
const bob = { name: 'Bob', displayName: 'Bob' };
const carol = { name: 'carol', displayName: 'Carol C', username: 'Carol' };
const book = (...cs: VerifiedContact[]) => new Map(cs.map((c) => [c.contact, c]));

describe('verified contacts', () => {
  it('keys accounts by username and visitors by name, ignoring case', () => {
    expect(contactKeyOf(carol)).toBe('u:carol');
    expect(contactKeyOf(bob)).toBe('v:bob');
  });

  it('a contact never verified is unverified', () => {
    expect(statusOf(book(), bob, FP1)).toBe('unverified');
  });

  it('the verified certificate is verified; another one under the same name or account is a change', () => {
    const contacts = book(withVerified(undefined, bob, FP1, 1), withVerified(undefined, carol, FP1, 1));
    expect(statusOf(contacts, bob, FP1)).toBe('verified');
    expect(statusOf(contacts, bob, FP2)).toBe('changed');
    expect(statusOf(contacts, { ...bob, name: 'BOB' }, FP2)).toBe('changed');
    expect(statusOf(contacts, carol, FP2)).toBe('changed');
  });

  it('a verified visitor stays verified after a rename; an account needs its own record', () => {
    const contacts = book(withVerified(undefined, bob, FP1, 1));
    expect(statusOf(contacts, { name: 'Robert' }, FP1)).toBe('verified');
    expect(statusOf(contacts, { name: 'bob', username: 'bob' }, FP1)).toBe('unverified');
  });

  it('verifying a second device keeps the first; the list is bounded', () => {
    let c = withVerified(undefined, carol, FP1, 1);
    c = withVerified(c, carol, FP2, 2);
    expect(c.fingerprints).toEqual([FP1, FP2]);
    expect(statusOf(book(c), carol, FP1)).toBe('verified');
    for (let i = 0; i < 40; i++) c = withVerified(c, carol, `sha-256 ${i}`, 3);
    expect(c.fingerprints.length).toBe(16);
    expect(c.fingerprints.at(-1)).toBe('sha-256 39');
  });
});

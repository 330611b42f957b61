// The verification slice with fake-indexeddb: a contact marked verified stays verified across a
// restart of the page (a new slice over the same database); another certificate for it holds
// sending until the user compares again or chooses to go on.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { safetyDigits } from '../protocol/safetyNumber';
import type { Patch, StoreAccess } from './Store';
import { Verification } from './Verification';
import * as db from './db';
import type { AppState, PeerView } from './types';

const OWN = 'sha-256 AA:AA';
const BOB = 'sha-256 B0:B0';
const MALLORY = 'sha-256 66:66';
const peer = (nodeId: string, name: string, username?: string): PeerView => ({
  nodeId, name, displayName: name, colourIndex: 0, registeredAt: 0, attributes: {}, authentication: username ? 'jwt' : 'none', username, isBot: false, conv: `p:${nodeId}`,
});

function setup(peers: PeerView[]) {
  let state = { peers: Object.fromEntries(peers.map((p) => [p.nodeId, p])), verification: {} } as unknown as AppState;
  const store: StoreAccess<AppState> = {
    get: () => state,
    set: (p: Patch<AppState>) => { state = { ...state, ...(typeof p === 'function' ? p(state) : p) }; },
  };
  const released = vi.fn();
  const slice = new Verification(store, { released });
  return { slice, released, view: (id: string) => state.verification[id] };
}

afterEach(async () => {
  await db.closeDb();
  await new Promise<void>((resolve) => { const r = indexedDB.deleteDatabase(db.DB_NAME); r.onsuccess = r.onerror = () => resolve(); });
});

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('Verification', () => {
  it('shows the safety number of both applied certificates, and nothing is held for a new contact', async () => {
    const { slice, view } = setup([peer('n1', 'Bob')]);
    await slice.load();
    slice.identified('n1', BOB);
    expect(view('n1')).toMatchObject({ status: 'unverified', peerFingerprint: BOB, contact: 'v:bob' });
    expect(slice.holds('n1')).toBe(false);
    slice.secured('n1', OWN, BOB);
    await settle();
    expect(view('n1').digits).toBe(await safetyDigits(BOB, OWN));
  });

  it('a verified contact stays verified after a reload; another certificate under its name holds sending', async () => {
    const first = setup([peer('n1', 'Bob')]);
    await first.slice.load();
    first.slice.identified('n1', BOB);
    first.slice.markVerified('n1');
    expect(first.view('n1').status).toBe('verified');
    await settle();
    await db.closeDb();

    const later = setup([peer('n2', 'Bob'), peer('n3', 'bob2')]);
    await later.slice.load();
    later.slice.identified('n2', BOB);
    expect(later.view('n2').status).toBe('verified');
    expect(later.slice.holds('n2')).toBe(false);

    const mitm = setup([peer('n4', 'Bob')]);
    await mitm.slice.load();
    mitm.slice.identified('n4', MALLORY);
    expect(mitm.view('n4').status).toBe('changed');
    expect(mitm.slice.holds('n4')).toBe(true);
    mitm.slice.acknowledge('n4');
    expect(mitm.slice.holds('n4')).toBe(false);
    expect(mitm.released).toHaveBeenCalledWith('n4');
    expect(mitm.view('n4')).toMatchObject({ status: 'changed', acknowledged: true });
    // The acknowledgement is for that connection only.
    mitm.slice.dropPeer('n4');
    mitm.slice.identified('n4', MALLORY);
    expect(mitm.slice.holds('n4')).toBe(true);
  });

  it('verifying the new certificate (a second device) releases and keeps the first one verified', async () => {
    const { slice, released, view } = setup([peer('a1', 'carol', 'Carol'), peer('a2', 'carol', 'Carol')]);
    await slice.load();
    slice.identified('a1', BOB);
    slice.markVerified('a1');
    slice.identified('a2', MALLORY);
    expect(slice.holds('a2')).toBe(true);
    slice.markVerified('a2');
    expect(released).toHaveBeenLastCalledWith('a2');
    expect(view('a2').status).toBe('verified');
    expect(view('a1').status).toBe('verified');
    slice.unverify('a2');
    expect(view('a2').status).toBe('unverified');
    expect(slice.holds('a2')).toBe(false);
  });
});

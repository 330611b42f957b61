// The reliability suite's server crash (issue 12): `kill -9` of parley-server in the middle of a
// chat. The server carries none of the chat's traffic, so the open data channels go on while it
// is down; once it is back, both browsers register again under the names they had.
import { test, expect } from '@playwright/test';
import { BASE, expectNoConsoleErrors, messageByText, openChat, openUser, send } from './helpers';
import { killServer, startServerAgain } from './serverControl';

test('kill -9 mid-chat: the open chat keeps working, then both register again under their names', async ({ browser }) => {
  const alice = await openUser(browser, 'rel-alice', 'purple');
  const bob = await openUser(browser, 'rel-bob', 'green');
  try {
    await openChat(alice, 'rel-bob');
    await openChat(bob, 'rel-alice');
    await send(alice, 'before the crash');
    await expect(messageByText(bob, 'before the crash')).toBeVisible();

    await killServer('SIGKILL'); // no close frame: the browsers find out from the dead socket
    await expect(alice.page.getByTestId('status')).not.toHaveAttribute('data-status', 'registered');
    await expect(bob.page.getByTestId('status')).not.toHaveAttribute('data-status', 'registered');

    // Typed while the server is down: delivered peer to peer, with the delivered tick.
    await send(alice, 'typed while the server is down');
    await expect(messageByText(bob, 'typed while the server is down')).toBeVisible();
    await expect(messageByText(alice, 'typed while the server is down').getByTestId('delivered')).toBeVisible();
    await send(bob, 'answered while it is down');
    await expect(messageByText(alice, 'answered while it is down')).toBeVisible();

    await startServerAgain();
    await expect(alice.page.getByTestId('status')).toHaveAttribute('data-status', 'registered', { timeout: 30_000 });
    await expect(bob.page.getByTestId('status')).toHaveAttribute('data-status', 'registered', { timeout: 30_000 });
    const conns = (await (await fetch(new URL('conns', BASE()))).json()) as Record<string, { node_name: string }>;
    const names = Object.values(conns).map((c) => c.node_name).filter((n) => n.startsWith('rel-')).sort();
    expect(names).toEqual(['rel-alice', 'rel-bob']); // not rel-alice-2: the old connections are gone

    // New node ids after the restart: each opens the other's new entry, as after any reconnect.
    await openChat(alice, 'rel-bob');
    await openChat(bob, 'rel-alice');
    await send(alice, 'after the restart');
    await expect(messageByText(bob, 'after the restart')).toBeVisible();
    await expect(messageByText(alice, 'after the restart').getByTestId('delivered')).toBeVisible();
    expectNoConsoleErrors(alice, bob);
  } finally {
    await alice.ctx.close();
    await bob.ctx.close();
  }
});

// NAT traversal through TURN (issue 13, item 4a). scripts/test.d/45-nat.sh builds two 'home'
// network namespaces, each behind its own masquerading router, with no route between them, and a
// 'public' one with coturn (use-auth-secret) and parley-server (--turn-secret-file). This page's
// Chromium runs in home1 and gets its TURN credentials from the server's /ice-servers (turn_ticket);
// EchoBot runs in home2 with static credentials the script computed. The only way between them
// is a relay: the text is echoed, a file goes there and back, and the selected pair uses `relay`.
import { test, expect } from '@playwright/test';
import { downloadFile, expectNoConsoleErrors, messageByText, openChat, openUser, peerItem, send, shot } from '../helpers';
import { allPairs, selectedPair } from './stats';

const URL = process.env.PARLEY_NAT_URL;
test.skip(!URL, 'needs the network namespaces of scripts/test.d/45-nat.sh (PARLEY_NAT_URL)');

test('a Chromium behind one NAT chats with EchoBot behind another and sends it a file, through the TURN relay', async ({ browser }) => {
  const user = await openUser(browser, 'nat-home1', 'teal', undefined, URL);
  try {
    await expect(peerItem(user, 'EchoBot')).toBeVisible({ timeout: 30_000 });
    await openChat(user, 'EchoBot');
    const botId = await user.page.evaluate(() => (window as unknown as { parley: { getState(): { selected?: string } } }).parley.getState().selected ?? '');
    expect(botId).not.toBe('');
    await send(user, 'hello across two NATs');
    await expect(messageByText(user, 'hello across two NATs').getByTestId('delivered')).toBeVisible();
    await expect(user.page.locator('[data-author="peer"]', { hasText: 'hello across two NATs' })).toBeVisible();

    const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 31 + 7) & 0xff));
    await user.page.getByTestId('file-input').setInputFiles({ name: 'nat.bin', mimeType: 'application/octet-stream', buffer: body });
    const cards = user.page.locator('[data-testid="file-card"][data-file-name="nat.bin"]');
    await expect(cards).toHaveCount(2, { timeout: 45_000 });
    await expect(cards.nth(0)).toHaveAttribute('data-state', 'done');
    await expect(cards.nth(1)).toHaveAttribute('data-state', 'done', { timeout: 45_000 });
    expect((await downloadFile(cards.nth(1))).equals(body)).toBe(true);

    const pair = await selectedPair(user, botId);
    console.log(`selected candidate pair: ${JSON.stringify(pair)}`);
    expect(pair?.state).toBe('succeeded');
    expect([pair?.local, pair?.remote]).toContain('relay');
    // The connection details dialog shows the local side of the same pair.
    await expect.poll(() => user.page.evaluate((id) => (window as unknown as { parley: { getState(): { diagnostics: Record<string, { candidateType?: string }> } } }).parley.getState().diagnostics[id]?.candidateType, botId)).toBe(pair?.local);
    await shot(user.page, 'nat-relay-echobot');
    expectNoConsoleErrors(user);
  } catch (e) {
    const id = await user.page.evaluate(() => (window as unknown as { parley: { getState(): { selected?: string } } }).parley.getState().selected ?? '').catch(() => '');
    if (id) console.log(`candidates at the failure:\n${await allPairs(user, id).catch((x) => String(x))}`);
    throw e;
  } finally {
    await user.ctx.close();
  }
});

test('without TURN, the chat says within the ICE timeout that the peer cannot be reached, and suggests TURN', async ({ browser }) => {
  const noTurn = process.env.PARLEY_NAT_NO_TURN_URL;
  test.skip(!noTurn, 'needs PARLEY_NAT_NO_TURN_URL (a parley-server without --turn-secret-file)');
  // Chromium's checks give up, then the restarts of rtc/iceRestart.ts (1+2+4+8+16 s) run out.
  test.setTimeout(240_000);
  const user = await openUser(browser, 'nat-noturn', 'teal', undefined, noTurn);
  try {
    await openChat(user, 'EchoBot');
    await send(user, 'is anyone there?');
    const hint = user.page.getByTestId('peer-unreachable');
    await expect(hint).toBeVisible({ timeout: 200_000 });
    await expect(hint).toContainText("Can't reach EchoBot directly");
    await expect(hint).toContainText('no TURN relay');
    await expect(user.page.getByTestId('peer-state')).toHaveText('failed');
    await expect(messageByText(user, 'is anyone there?').getByTestId('delivered')).toHaveCount(0);
    await shot(user.page, 'nat-no-turn-unreachable');
  } finally {
    await user.ctx.close();
  }
});

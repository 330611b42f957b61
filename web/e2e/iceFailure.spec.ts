// Automatic ICE restart after a real failure (PROTOCOL.md §6.5): two pages whose only path is a
// UDP relay run by the test. The relay is cut, the browsers' consent checks fail, the client sees
// `failed`, restarts ICE on its own, and once the relay lets traffic through again the chat works.
import { test, expect } from '@playwright/test';
import { expectNoConsoleErrors, messageByText, openChat, openUser, ownId, send, shot, type User } from './helpers';
import { UdpRelay } from './udpRelay';

type Diag = { iceState?: string; connectionState?: string; restarts?: number; candidateType?: string };
const diagOf = (u: User, peerId: string) => u.page.evaluate((id) => {
  const s = (window as unknown as { parley: { getState(): { diagnostics: Record<string, Diag> } } }).parley.getState();
  return s.diagnostics[id] ?? {};
}, peerId);

test('a connection that really fails is restarted automatically and chats again', async ({ browser }) => {
  test.setTimeout(180_000);
  const relay = new UdpRelay();
  const frank = await openUser(browser, 'frank', 'red', (ctx) => relay.attach(ctx));
  const gina = await openUser(browser, 'gina', 'cyan', (ctx) => relay.attach(ctx));
  try {
    const ginaId = await ownId(gina);
    const frankId = await ownId(frank);
    await openChat(frank, 'gina');
    await send(frank, 'before the cut');
    await expect(messageByText(frank, 'before the cut').getByTestId('delivered')).toBeVisible();
    await openChat(gina, 'frank');
    await expect(messageByText(gina, 'before the cut')).toBeVisible();
    expect(relay.forwarded).toBeGreaterThan(0); // the pages talk through the relay, not directly
    const before = await diagOf(frank, ginaId);
    expect(before.restarts ?? 0).toBe(0);

    relay.cut();
    // The browsers' own consent checks notice: the connection goes to failed (Chromium leaves
    // iceConnectionState at "disconnected"), and the client restarts ICE by itself.
    await expect.poll(async () => (await diagOf(frank, ginaId)).connectionState, { timeout: 90_000, intervals: [500] }).toBe('failed');
    await expect(frank.page.getByTestId('peer-state')).toHaveText('failed');
    await shot(frank.page, '16-connection-failed');
    await expect.poll(async () => (await diagOf(frank, ginaId)).restarts ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(relay.dropped).toBeGreaterThan(0);

    relay.heal();
    await expect.poll(async () => (await diagOf(frank, ginaId)).iceState, { timeout: 60_000, intervals: [500] }).toMatch(/connected|completed/);
    await expect.poll(async () => (await diagOf(gina, frankId)).iceState, { timeout: 60_000, intervals: [500] }).toMatch(/connected|completed/);
    await expect(frank.page.getByTestId('peer-state')).toHaveText('connected');
    await send(frank, 'after the failure');
    await expect(messageByText(frank, 'after the failure').getByTestId('delivered')).toBeVisible();
    await expect(messageByText(gina, 'after the failure')).toBeVisible();
    await send(gina, 'and back');
    await expect(messageByText(frank, 'and back')).toBeVisible();
    // The restart shows in the connection details.
    await frank.page.getByRole('button', { name: 'Connection details' }).click();
    await expect(frank.page.getByTestId('diag-ICE restarts')).not.toHaveText('0');
    await frank.page.keyboard.press('Escape');
    test.info().annotations.push({ type: 'relay datagrams', description: `${relay.forwarded} forwarded, ${relay.dropped} dropped` });
    expectNoConsoleErrors(frank, gina);
  } finally {
    await frank.ctx.close();
    await gina.ctx.close();
    relay.close();
  }
});

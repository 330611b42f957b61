// Expired TURN credentials are renewed on an ICE restart (issue 13, item 4c). The server behind
// PARLEY_NAT_SHORT_TTL_URL hands out coturn credentials valid for one minute (--turn-ttl 1m), and
// its EchoBot in home2 has no relay of its own (STUN only): the one path between the homes is this
// page's own allocation on coturn. The test lets the first credentials expire (scripts/nat/run.sh
// has shown that coturn refuses an expired one), cuts UDP at home1's router until the app restarts
// ICE (rtc/iceRestart.ts), then lets it through again: the chat only comes back if the restart
// fetched new credentials from /ice-servers and made a new allocation with them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test, expect, type Response } from '@playwright/test';
import { messageByText, openChat, openUser, send, shot } from '../helpers';
import { allPairs, selectedPair } from './stats';

const URL = process.env.PARLEY_NAT_SHORT_TTL_URL;
const ROUTER = process.env.PARLEY_NAT_ROUTER1;
const TURN_LOG = process.env.PARLEY_NAT_TURN_LOG;
test.skip(!URL || !ROUTER, 'needs the network namespaces of scripts/test.d/45-nat.sh (PARLEY_NAT_SHORT_TTL_URL, PARLEY_NAT_ROUTER1)');

interface Fetched { at: number; username: string; expiresAt: number }

/** Drops every forwarded UDP packet at home1's router (TCP, so signalling and /ice-servers, still passes). */
function cutUdp(on: boolean): void {
  const ns = ROUTER as string;
  if (on) {
    execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
      input: 'table ip parleycut {\n  chain forward {\n    type filter hook forward priority filter - 10; policy accept;\n    meta l4proto udp counter drop\n  }\n}\n',
    });
  } else {
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'delete', 'table', 'ip', 'parleycut']);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('expired TURN credentials are replaced on an ICE restart, and the relayed chat comes back', async ({ browser }) => {
  // One minute for the first credentials to expire, up to about 25 s until Chromium calls the
  // path failed, a second until the restart, a few seconds for it.
  test.setTimeout(240_000);
  const fetched: Fetched[] = [];
  const pending: Promise<void>[] = [];
  const onResponse = (res: Response) => {
    if (!res.url().includes('/ice-servers') || res.status() !== 200) return;
    pending.push(res.json().then((body: { iceServers?: { username?: string }[] }) => {
      const username = body.iceServers?.find((s) => s.username)?.username ?? '';
      fetched.push({ at: Date.now(), username, expiresAt: Number(username.split(':')[0]) * 1000 });
    }, () => undefined));
  };
  const user = await openUser(browser, 'nat-ttl', 'teal', async (ctx) => { ctx.on('response', onResponse); }, URL);
  let cut = false;
  try {
    await openChat(user, 'EchoBot');
    const botId = await user.page.evaluate(() => (window as unknown as { parley: { getState(): { selected?: string } } }).parley.getState().selected ?? '');
    await send(user, 'before the credentials expire');
    await expect(user.page.locator('[data-author="peer"]', { hasText: 'before the credentials expire' })).toBeVisible({ timeout: 45_000 });
    const before = await selectedPair(user, botId);
    console.log(`before: ${JSON.stringify(before)}`);
    expect(before?.local).toBe('relay'); // EchoBot has no relay: this page's allocation carries the chat
    await Promise.all(pending);
    expect(fetched.length).toBeGreaterThanOrEqual(1);
    const first = fetched[fetched.length - 1];
    const lifetime = first.expiresAt - first.at;
    expect(lifetime).toBeGreaterThan(50_000); // --turn-ttl 1m
    expect(lifetime).toBeLessThanOrEqual(61_000);

    // Every credential this page holds has now expired.
    const lastExpiry = Math.max(...fetched.map((f) => f.expiresAt));
    await sleep(Math.max(0, lastExpiry - Date.now() + 2000));
    const fetchesBefore = fetched.length;

    cutUdp(true);
    cut = true;
    const restarts = () => user.page.evaluate((id) => (window as unknown as { parley: { getState(): { diagnostics: Record<string, { restarts?: number }> } } }).parley.getState().diagnostics[id]?.restarts ?? 0, botId);
    await expect.poll(restarts, { timeout: 90_000, intervals: [250] }).toBeGreaterThanOrEqual(1);
    cutUdp(false);
    cut = false;

    await send(user, 'after the ICE restart');
    await expect(user.page.locator('[data-author="peer"]', { hasText: 'after the ICE restart' })).toBeVisible({ timeout: 60_000 });
    await expect(messageByText(user, 'after the ICE restart').getByTestId('delivered')).toBeVisible();
    await expect(user.page.getByTestId('peer-state')).toHaveText('connected');

    await Promise.all(pending);
    const renewed = fetched.slice(fetchesBefore);
    console.log(`credentials: ${JSON.stringify(fetched)}`);
    expect(renewed.length).toBeGreaterThanOrEqual(1);
    for (const f of renewed) expect(f.expiresAt).toBeGreaterThan(lastExpiry);
    const after = await selectedPair(user, botId);
    console.log(`after: ${JSON.stringify(after)}`);
    expect(after?.state).toBe('succeeded');
    expect(after?.local).toBe('relay');
    expect(after?.localAddress).not.toBe(before?.localAddress); // a new allocation on coturn
    if (TURN_LOG) {
      // coturn never refused the renewed credentials.
      const log = readFileSync(TURN_LOG, 'utf8');
      for (const f of renewed) expect(log).not.toContain(`Cannot find credentials of user <${f.username}>`);
    }
    await shot(user.page, 'nat-credentials-renewed');
  } catch (e) {
    const id = await user.page.evaluate(() => (window as unknown as { parley: { getState(): { selected?: string } } }).parley.getState().selected ?? '').catch(() => '');
    if (id) console.log(`candidates at the failure:\n${await allPairs(user, id).catch((x) => String(x))}`);
    throw e;
  } finally {
    if (cut) cutUdp(false);
    await user.ctx.close();
  }
});

// TURN credentials from a server entry's `iceServersEndpoint` (PROTOCOL.md §3.11, §10.1: fetched
// before each peer connection). The test serves servers.json with the endpoint added and answers
// the endpoint itself, counting requests: every connection (and every ICE restart) asks for
// credentials unless the cached ones are still young, and the peer connection uses them. Then the
// same against a real parley-server issuing credentials to registered visitors (turn_ticket).
import { test, expect, type BrowserContext } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expectNoConsoleErrors, messageByText, openChat, openUser, ownId, send, type User } from './helpers';
import { binaryPath, freePort, REPO, spawnServer, waitHealthy } from './serverControl';

const TURN_URL = 'turn:127.0.0.1:9?transport=udp'; // nothing listens: host candidates still connect

test('each connection and ICE restart gets TURN credentials that are still fresh', async ({ browser }) => {
  const requests: Record<string, number> = { jo: 0, kim: 0 };
  let lifetimeSec = 24 * 3600;
  const serve = (who: string) => async (ctx: BrowserContext) => {
    await ctx.route('**/servers.json', async (route) => {
      const res = await route.fetch();
      const list = (await res.json()) as Record<string, unknown>[];
      await route.fulfill({ response: res, json: list.map((e) => ({ ...e, iceServersEndpoint: '/test-turn/ice-servers' })) });
    });
    await ctx.route('**/test-turn/ice-servers', async (route) => {
      requests[who]++;
      const expiry = Math.floor(Date.now() / 1000) + lifetimeSec;
      await route.fulfill({ json: { iceServers: [{ urls: [TURN_URL], username: `${expiry}:${who}${requests[who]}`, credential: 'c2VjcmV0' }] } });
    });
  };
  let jo: User | undefined;
  let kim: User | undefined;
  try {
    jo = await openUser(browser, 'jo', 'teal', serve('jo'));
    kim = await openUser(browser, 'kim', 'green', serve('kim'));
    expect(requests).toEqual({ jo: 0, kim: 0 }); // nothing fetched before a connection is made
    const kimId = await ownId(kim);
    await openChat(jo, 'kim');
    await send(jo, 'over fresh credentials');
    await expect(messageByText(jo, 'over fresh credentials').getByTestId('delivered')).toBeVisible();
    expect(requests).toEqual({ jo: 1, kim: 1 }); // the offerer before its offer, the answerer before its answer
    const config = () => jo!.page.evaluate((id) => {
      const pc = (window as unknown as { parley: { sessions: Map<string, { pc: RTCPeerConnection }> } }).parley.sessions.get(id)!.pc;
      return pc.getConfiguration().iceServers?.map((s) => `${([] as string[]).concat(s.urls).join(',')} ${s.username ?? ''}`) ?? [];
    }, kimId);
    expect((await config()).some((s) => s.startsWith(TURN_URL) && s.endsWith(':jo1'))).toBe(true);

    const restart = async () => {
      const before = await jo!.page.evaluate((id) => (window as unknown as { parley: { sessions: Map<string, { pc: RTCPeerConnection }> } }).parley.sessions.get(id)!.pc.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1], kimId);
      await jo!.page.evaluate((id) => (window as unknown as { parley: { sessions: Map<string, { pc: RTCPeerConnection }> } }).parley.sessions.get(id)!.pc.restartIce(), kimId);
      await expect.poll(() => jo!.page.evaluate((id) => (window as unknown as { parley: { sessions: Map<string, { pc: RTCPeerConnection }> } }).parley.sessions.get(id)!.pc.localDescription!.sdp.match(/a=ice-ufrag:(\S+)/)![1], kimId)).not.toBe(before);
    };
    // Young credentials (24 h, fetched seconds ago) are reused by a restart.
    await restart();
    expect(requests.jo).toBe(1);
    // Credentials that expire within a minute are never reused: every restart fetches.
    lifetimeSec = 30;
    // (Stands in for half a day passing: the cached 24-hour credentials are past their half-life.)
    await jo.page.evaluate(() => (window as unknown as { parley: { iceSource: { last: unknown } } }).parley.iceSource.last = null);
    await restart();
    expect(requests.jo).toBe(2);
    await restart();
    expect(requests.jo).toBe(3);
    await expect.poll(async () => (await config()).some((s) => s.endsWith(':jo3'))).toBe(true);
    await send(jo, 'after the restarts');
    await expect(messageByText(jo, 'after the restarts').getByTestId('delivered')).toBeVisible();
    await openChat(kim, 'jo');
    await expect(messageByText(kim, 'after the restarts')).toBeVisible();
    expectNoConsoleErrors(jo, kim);
  } finally {
    await jo?.ctx.close();
    await kim?.ctx.close();
  }
});

test("a real parley-server with --turn-secret-file hands each registered visitor credentials through its turn_ticket", async ({ browser }) => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-turn-'));
  writeFileSync(join(dir, 'turn-secret'), 'e2e-secret\n');
  const port = await freePort();
  const pid = spawnServer(binaryPath(), [
    '--listen', `127.0.0.1:${port}`, '--web-root', resolve(REPO, 'web/dist'), '--ice-server', 'stun:127.0.0.1:9',
    '--data-dir', join(dir, 'data'), '--management-listen', join(dir, 'management.sock'),
    '--turn-secret-file', join(dir, 'turn-secret'), '--turn-url', TURN_URL, '--turn-ttl', '1h',
  ], join(dir, 'server.log'), dir);
  const base = `http://127.0.0.1:${port}/`;
  let ana: User | undefined;
  let ben: User | undefined;
  try {
    await waitHealthy(port);
    ana = await openUser(browser, 'ana', 'teal', undefined, base);
    ben = await openUser(browser, 'ben', 'green', undefined, base);
    await openChat(ana, 'ben');
    await send(ana, 'relay-ready');
    await expect(messageByText(ana, 'relay-ready').getByTestId('delivered')).toBeVisible();
    const seen = await ana.page.evaluate(() => {
      const p = (window as unknown as { parley: { getState(): { ownId?: string }; sessions: Map<string, { pc: RTCPeerConnection }> } }).parley;
      const s = [...p.sessions.values()][0];
      return { own: p.getState().ownId, servers: s?.pc.getConfiguration().iceServers ?? [] };
    });
    const turn = seen.servers.find((s) => JSON.stringify(s.urls).includes('turn:'));
    expect(turn, JSON.stringify(seen.servers)).toBeTruthy();
    // `<expiry>:<node id>`: the server gave them to this registered connection, for an hour.
    const [expiry, who] = String(turn!.username).split(':');
    expect(who).toBe(seen.own);
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(3500);
    expectNoConsoleErrors(ana, ben);
  } finally {
    await ana?.ctx.close();
    await ben?.ctx.close();
    try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
  }
});

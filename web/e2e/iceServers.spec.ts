// TURN credentials from a server entry's `iceServersEndpoint` (PROTOCOL.md §3.11, §10.1: fetched
// before each peer connection). The test serves servers.json with the endpoint added and answers
// the endpoint itself, counting requests: every connection (and every ICE restart) asks for
// credentials unless the cached ones are still young, and the peer connection uses them.
import { test, expect, type BrowserContext } from '@playwright/test';
import { expectNoConsoleErrors, messageByText, openChat, openUser, ownId, send, type User } from './helpers';

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

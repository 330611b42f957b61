// Safety numbers (issue 12): both sides of an honest connection show the same 60 digits, derived
// from the DTLS fingerprints of the descriptions actually applied; a verified mark survives a
// reload; and a lying signalling server that puts its own peer connections in the middle makes the
// two sides' numbers differ and stops anything being sent to a verified contact until the user
// decides.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import decodeQR from '@paulmillr/qr/decode.js';
import { expectNoConsoleErrors, messageByText, openChat, openUser, send, shot, type User } from './helpers';
import { SdpSwapper } from './mitm';

test.describe.configure({ mode: 'serial' });

let browser: Browser;
let mitm: SdpSwapper;
let alice: User;
let bob: User;
let honestDigits = '';

test.beforeAll(async ({ browser: b }) => {
  browser = b;
  mitm = await SdpSwapper.start(browser);
});

test.afterAll(async () => {
  await alice?.ctx.close();
  await bob?.ctx.close();
  await mitm?.close();
});

/** The peer's node id as the page knows it. */
const peerId = (u: User, name: string) => u.page.evaluate((n) => {
  const peers = (window as unknown as { parley: { getState(): { peers: Record<string, { nodeId: string; name: string }> } } }).parley.getState().peers;
  return Object.values(peers).find((p) => p.name === n)?.nodeId ?? '';
}, name);

/** The applied descriptions of the page's connection to a peer. */
const appliedSdps = (u: User, id: string) => u.page.evaluate((peer) => {
  const s = (window as unknown as { parley: { sessions: Map<string, { pc: RTCPeerConnection }> } }).parley.sessions.get(peer);
  return { local: s?.pc.currentLocalDescription?.sdp ?? '', remote: s?.pc.currentRemoteDescription?.sdp ?? '' };
}, id);

/** The safety number computed here, independently of the page: docs/PROTOCOL-EXTENSIONS.md. */
function expectedDigits(localSdp: string, remoteSdp: string): string {
  const fp = (sdp: string) => {
    const m = /^a=fingerprint:sha-256 ([0-9A-Fa-f:]+)\s*$/m.exec(sdp);
    if (!m) throw new Error('no sha-256 fingerprint in an applied description');
    return `sha-256 ${m[1].toUpperCase()}`;
  };
  const joined = [fp(localSdp), fp(remoteSdp)].sort().join('\n');
  const n = BigInt(`0x${createHash('sha256').update(joined).digest('hex')}`) % 10n ** 60n;
  return n.toString().padStart(60, '0');
}

async function openSafety(page: Page): Promise<string> {
  await page.getByTestId('safety-button').click();
  const number = page.getByTestId('safety-number');
  await expect(number).toHaveText(/^(\d{5}){12}$/);
  return (await number.textContent()) ?? '';
}

const closeSafety = (page: Page) => page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

/** The QR code as the page draws it, rasterised in the page and decoded here. */
async function decodeShownQr(page: Page): Promise<string> {
  const img = await page.getByTestId('safety-qr').evaluate(async (svg) => {
    const size = 352;
    const image = new Image();
    image.src = `data:image/svg+xml;base64,${btoa(new XMLSerializer().serializeToString(svg))}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(image, 0, 0, size, size);
    return { width: size, height: size, data: Array.from(ctx.getImageData(0, 0, size, size).data) };
  });
  return decodeQR({ width: img.width, height: img.height, data: new Uint8Array(img.data) });
}

test('an honest connection: both sides show the same number, from the applied certificates', async () => {
  alice = await openUser(browser, 'alice', 'purple', (ctx) => mitm.install(ctx));
  bob = await openUser(browser, 'bob', 'green', (ctx) => mitm.install(ctx));
  await openChat(alice, 'bob');
  await send(alice, 'hello bob');
  await openChat(bob, 'alice');
  await expect(messageByText(bob, 'hello bob')).toBeVisible();
  await expect(alice.page.getByTestId('safety-button')).toHaveAttribute('data-status', 'unverified');

  const a = await openSafety(alice.page);
  const b = await openSafety(bob.page);
  expect(a).toBe(b);
  const sdps = await appliedSdps(alice, await peerId(alice, 'bob'));
  expect(a).toBe(expectedDigits(sdps.local, sdps.remote));
  expect(await decodeShownQr(alice.page)).toBe(a);
  await expect(alice.page.getByTestId('safety-status')).toHaveText(/Not verified yet/);
  await shot(alice.page, '20-safety-number');
  honestDigits = a;

  await alice.page.getByTestId('mark-verified').click();
  await bob.page.getByTestId('mark-verified').click();
  await expect(alice.page.getByTestId('safety-button')).toHaveAttribute('data-status', 'verified');
  await expect(bob.page.getByTestId('safety-button')).toHaveAttribute('data-status', 'verified');
});

test('the verified mark and the number survive a reload of both pages', async () => {
  await alice.page.reload();
  await bob.page.reload();
  await expect(alice.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
  await expect(bob.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
  await openChat(alice, 'bob');
  await send(alice, 'still me');
  await expect(alice.page.getByTestId('safety-button')).toHaveAttribute('data-status', 'verified');
  await expect(messageByText(alice, 'still me').getByTestId('delivered')).toBeVisible();
  expect(await openSafety(alice.page)).toBe(honestDigits);
  await closeSafety(alice.page);
});

test('a man in the middle: the numbers differ, and nothing goes to the verified contact until the user decides', async () => {
  mitm.active = true;
  await alice.page.reload();
  await bob.page.reload();
  await expect(alice.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
  await expect(bob.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');

  // Alice writes before the connection exists; the swapped connection then comes up.
  mitm.pause();
  await openChat(alice, 'bob');
  await send(alice, 'the secret plan');
  mitm.resume();

  const warning = alice.page.getByTestId('key-change-warning');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText("bob's safety number has changed");
  await expect(alice.page.getByTestId('safety-button')).toHaveAttribute('data-status', 'changed');
  await expect(messageByText(alice, 'the secret plan').getByTestId('held')).toBeVisible();
  await expect(alice.page.getByTestId('composer')).toBeDisabled();
  // The connection itself is up (Mallory relays the pings), yet the message was not sent.
  await expect.poll(async () => (await mitm.read('ping')).length).toBeGreaterThan(2);
  await alice.page.waitForTimeout(1500);
  expect((await mitm.read('chat')).some((m) => m.includes('the secret plan'))).toBe(false);
  await expect(alice.page.getByTestId('peer-state')).toHaveText('connected');
  await shot(alice.page, '22-key-change-warning');

  // Each side sees Mallory's certificate: the numbers differ, and neither is the honest one.
  const a = await openSafety(alice.page);
  await expect(alice.page.getByTestId('safety-status')).toHaveText(/changed since you verified/);
  await shot(alice.page, '21-safety-number-changed');
  await closeSafety(alice.page);
  await openChat(bob, 'alice');
  await expect(bob.page.getByTestId('key-change-warning')).toBeVisible();
  const b = await openSafety(bob.page);
  await closeSafety(bob.page);
  expect(a).not.toBe(b);
  expect(a).not.toBe(honestDigits);
  expect(b).not.toBe(honestDigits);
  const sdps = await appliedSdps(alice, await peerId(alice, 'bob'));
  expect(a).toBe(expectedDigits(sdps.local, sdps.remote));
  await expect(messageByText(bob, 'the secret plan')).toHaveCount(0);

  // Choosing to go on sends it, through Mallory, who reads it: the warning was the only defence.
  await alice.page.getByRole('button', { name: 'Send anyway' }).click();
  await expect(messageByText(bob, 'the secret plan')).toBeVisible();
  await expect(messageByText(alice, 'the secret plan').getByTestId('delivered')).toBeVisible();
  expect((await mitm.read('chat')).some((m) => m.includes('the secret plan'))).toBe(true);
  await expect(alice.page.getByTestId('key-change-note')).toBeVisible();
  await expect(alice.page.getByTestId('composer')).toBeEnabled();
  expectNoConsoleErrors(alice, bob);
});

// Whose history is whose: an anonymous Parley user is recognised by the DTLS certificate their
// browser keeps, not by name. A rename and a reload keep the conversation; someone else taking
// the name later starts a new one; conversations of people who left stay readable; a version-1
// database (history keyed by name) is upgraded and its conversations stay readable.
import { test, expect, type Browser } from '@playwright/test';
import { BASE, expectNoConsoleErrors, messageByText, openChat, openUser, peerItem, send, shot, type User } from './helpers';

test.describe.configure({ mode: 'serial' });

let browser: Browser;
let ivy: User;
let hank: User;

test.beforeAll(async ({ browser: b }) => { browser = b; });
test.afterAll(async () => { await ivy?.ctx.close(); await hank?.ctx.close(); });

test('a rename and a reload keep the conversation; a newcomer with the same name gets a new one', async () => {
  ivy = await openUser(browser, 'ivy', 'pink');
  hank = await openUser(browser, 'hank', 'orange');
  await openChat(hank, 'ivy');
  await send(hank, 'hi from the first hank');
  await expect(messageByText(hank, 'hi from the first hank').getByTestId('delivered')).toBeVisible();
  await openChat(ivy, 'hank');
  await expect(messageByText(ivy, 'hi from the first hank')).toBeVisible();
  await ivy.page.evaluate(() => (window as unknown as { parley: { closeChat(): void } }).parley.closeChat());

  // hank becomes henry, then reloads: a new node id and a new name, the same certificate.
  await hank.page.getByTestId('own-button').click();
  await hank.page.getByLabel('Name', { exact: true }).fill('henry');
  await hank.page.getByRole('button', { name: 'Save' }).click();
  await expect(peerItem(ivy, 'henry')).toBeVisible();
  await hank.page.reload();
  await expect(hank.page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
  await openChat(ivy, 'henry');
  await expect(messageByText(ivy, 'hi from the first hank')).toBeVisible();
  await send(ivy, 'still you, henry');
  await expect(messageByText(ivy, 'still you, henry').getByTestId('delivered')).toBeVisible();
  await openChat(hank, 'ivy');
  await expect(messageByText(hank, 'hi from the first hank')).toBeVisible(); // hank's own side kept it too
  await expect(messageByText(hank, 'still you, henry')).toBeVisible();

  // Someone else now calls themselves "henry": a different browser, so a different conversation.
  const impostor = await openUser(browser, 'henry', 'orange');
  try {
    await expect(peerItem(ivy, 'henry')).toHaveCount(2);
    await openChat(impostor, 'ivy');
    await send(impostor, 'i am henry too');
    await expect(messageByText(impostor, 'i am henry too').getByTestId('delivered')).toBeVisible();
    await expect(messageByText(impostor, 'hi from the first hank')).toHaveCount(0);
    // On ivy's side the two henrys have separate conversations.
    await expect.poll(() => ivy.page.evaluate(() => Object.values((window as unknown as { parley: { getState(): { conversations: Record<string, { text?: string }[]> } } }).parley.getState().conversations).flat().some((m) => m.text === 'i am henry too'))).toBe(true);
    const convs = await ivy.page.evaluate(() => {
      const s = (window as unknown as { parley: { getState(): { peers: Record<string, { name: string; conv: string }>; conversations: Record<string, { text?: string }[]> } } }).parley.getState();
      return Object.values(s.peers).filter((p) => p.name === 'henry').map((p) => (s.conversations[p.conv] ?? []).map((m) => m.text));
    });
    expect(convs).toHaveLength(2);
    expect(convs.find((c) => c.includes('i am henry too'))).not.toContain('hi from the first hank');
    expect(convs.find((c) => c.includes('hi from the first hank'))).not.toContain('i am henry too');
    expectNoConsoleErrors(ivy, hank, impostor);
  } finally {
    await impostor.ctx.close();
  }
});

test('the conversation of someone who left stays readable under "Earlier conversations"', async () => {
  await hank.ctx.close();
  await expect(peerItem(ivy, 'henry')).toHaveCount(0);
  await ivy.page.getByTestId('past-toggle').click();
  const past = ivy.page.locator('[data-testid="past-conv"][data-conv-name="henry"]');
  await expect(past.first()).toBeVisible();
  // Both henrys left: pick the one whose history has the first hank's message.
  let found = false;
  for (const item of await past.all()) {
    await item.click();
    await expect(ivy.page.getByTestId('past-chat-pane')).toBeVisible();
    if (await messageByText(ivy, 'hi from the first hank').count()) { found = true; break; }
  }
  expect(found).toBe(true);
  await expect(messageByText(ivy, 'still you, henry')).toBeVisible();
  await expect(ivy.page.getByTestId('composer')).toHaveCount(0); // read-only
  await expect(ivy.page.getByRole('button', { name: 'Message actions' })).toHaveCount(0);
  await shot(ivy.page, '17-earlier-conversation');
  // Deleting it removes it from this device.
  await ivy.page.getByRole('button', { name: 'Delete this conversation' }).click();
  await ivy.page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(ivy.page.getByTestId('past-chat-pane')).toHaveCount(0);
  await expect(ivy.page.locator('[data-testid="past-conv"][data-conv-name="henry"]')).toHaveCount(1);
  expectNoConsoleErrors(ivy);
});

test('history saved by an older version (keyed by name) is upgraded and stays readable', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors: string[] = [];
  try {
    // Seed a version-1 database on the app's origin from a page that does not run the app.
    await page.goto(new URL('/servers.json', BASE()).href);
    await page.evaluate(() => new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('parley', 1);
      req.onupgradeneeded = () => {
        const s = req.result.createObjectStore('messages', { keyPath: 'messageId' });
        s.createIndex('byConv', ['conv', 'timestamp']);
        s.put({ messageId: 'old-1', conv: 'n:oldfriend', author: 'peer', timestamp: 1_700_000_000_000, text: 'from the old days' });
        s.put({ messageId: 'old-2', conv: 'n:oldfriend', author: 'me', timestamp: 1_700_000_001_000, text: 'my old reply', delivery: 'delivered' });
      };
      req.onsuccess = () => { req.result.close(); resolve(); };
      req.onerror = () => reject(req.error);
    }));
    // (That page's own favicon request may 404; only the app's console counts.)
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(BASE());
    await page.getByTestId('name-input').fill('returning');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'registered');
    await page.getByTestId('past-toggle').click();
    await page.locator('[data-testid="past-conv"][data-conv-name="oldfriend"]').click();
    await expect(page.getByTestId('past-chat-pane')).toBeVisible();
    await expect(page.getByTestId('legacy-note')).toBeVisible();
    await expect(page.getByTestId('message-text').filter({ hasText: 'from the old days' })).toBeVisible();
    await expect(page.getByTestId('message-text').filter({ hasText: 'my old reply' })).toBeVisible();
    const version = await page.evaluate(() => new Promise<number>((resolve) => { const r = indexedDB.open('parley'); r.onsuccess = () => { resolve(r.result.version); r.result.close(); }; }));
    expect(version).toBe(3); // version 3 added the verified contacts (safety numbers)
    expect(errors).toEqual([]);
  } finally {
    await ctx.close();
  }
});

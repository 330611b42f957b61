// The Content-Security-Policy served by parley-server: present on the page, never violated by the
// app during a real chat with a picture (worker hashing, blob: and data: images), and enforced.
import { test, expect, type BrowserContext } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE, expectNoConsoleErrors, messageByText, openChat, openUser, send, type User } from './helpers';
import { makePng } from './pngFixture';

test.describe.configure({ mode: 'serial' });

interface Violation { directive: string; blocked: string; sample: string }
type CspWindow = { __csp: Violation[]; __inlineRan?: boolean; __handlerRan?: boolean };

/** Records every securitypolicyviolation of the page from its very first script on. */
async function recordViolations(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const w = window as unknown as CspWindow;
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__csp.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
}

const violations = (u: User) => u.page.evaluate(() => (window as unknown as CspWindow).__csp);

let alice: User;
let bob: User;

test.afterAll(async () => {
  await alice?.ctx.close();
  await bob?.ctx.close();
});

test('the page and its assets carry a strict policy', async () => {
  const index = await fetch(BASE());
  expect(index.status).toBe(200);
  const csp = index.headers.get('content-security-policy') ?? '';
  const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
  expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  expect(directives.get('default-src')).toEqual(["'none'"]);
  expect(directives.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(directives.get('object-src')).toEqual(["'none'"]);
  expect(directives.get('base-uri')).toEqual(["'none'"]);
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain("'unsafe-eval'");
  expect(index.headers.get('x-frame-options')).toBe('DENY');
  expect(index.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(index.headers.get('permissions-policy')).toContain('camera=()');
  // Assets carry the same policy; the hashing worker takes its policy from its own response.
  const entry = /src="(\/assets\/[^"]+\.js)"/.exec(await index.text())?.[1];
  expect(entry).toBeTruthy();
  const js = await fetch(new URL(entry!, BASE()));
  expect(js.headers.get('content-security-policy')).toBe(csp);
  const worker = /assets\/sha256\.worker-[\w-]+\.js/.exec(await js.text())?.[0];
  expect(worker).toBeTruthy();
  expect((await fetch(new URL(`/${worker}`, BASE()))).headers.get('content-security-policy')).toBe(csp);
});

test('a real chat with a picture causes no violation on either page', async ({ browser }) => {
  alice = await openUser(browser, 'csp-alice', 'purple', recordViolations);
  bob = await openUser(browser, 'csp-bob', 'green', recordViolations);
  await openChat(alice, 'csp-bob');
  await send(alice, 'hello under CSP');
  await expect(messageByText(alice, 'hello under CSP').getByTestId('delivered')).toBeVisible();
  await openChat(bob, 'csp-alice');
  await expect(messageByText(bob, 'hello under CSP')).toBeVisible();
  await send(bob, 'reply under CSP');
  await expect(messageByText(alice, 'reply under CSP')).toBeVisible();

  // A picture: SHA-256 in the WebAssembly worker, a data: thumbnail and blob: previews.
  const dir = mkdtempSync(join(tmpdir(), 'parley-csp-'));
  writeFileSync(join(dir, 'csp.png'), makePng(160, 100));
  await alice.page.getByTestId('media-input').setInputFiles(join(dir, 'csp.png'));
  const bobCard = bob.page.locator('[data-testid="file-card"][data-file-name="csp.png"]');
  await expect(bobCard).toHaveAttribute('data-state', 'done');
  await expect(bobCard.getByTestId('file-image')).toBeVisible();
  expect(await bobCard.getByTestId('file-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(160);
  await expect(alice.page.locator('[data-testid="file-card"][data-file-name="csp.png"]')).toHaveAttribute('data-state', 'done');

  // MUI's styles were applied (Emotion's empty <style> elements are allowed by the policy).
  const rules = await alice.page.evaluate(() => [...document.querySelectorAll('style[data-emotion]')]
    .reduce((n, s) => n + ((s as HTMLStyleElement).sheet?.cssRules.length ?? 0), 0));
  expect(rules).toBeGreaterThan(10);

  expect(await violations(alice)).toEqual([]);
  expect(await violations(bob)).toEqual([]);
  expectNoConsoleErrors(alice, bob);  // CSP refusals are console errors too
});

test('the policy is enforced: injected inline script, handlers, styles and eval do not run', async () => {
  const page = alice.page;
  const result = await page.evaluate(() => {
    const w = window as unknown as CspWindow & { eval: typeof eval };
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true';
    document.body.appendChild(script);
    const img = document.createElement('img');
    img.setAttribute('onerror', 'window.__handlerRan = true');
    img.src = 'data:,not-an-image';
    document.body.appendChild(img);
    const style = document.createElement('style');
    style.textContent = 'body { outline: 7px solid rgb(255, 0, 0) }';
    document.head.appendChild(style);
    // eval from a page task (code evaluated by the test driver itself is exempt from the policy)
    const evalResult = new Promise<string>((resolve) => setTimeout(() => {
      try { w.eval('1 + 1'); resolve('ran'); } catch (e) { resolve((e as Error).name); }
    }, 0));
    return evalResult.then((r) => ({ evalResult: r, styleApplied: getComputedStyle(document.body).outlineWidth === '7px' }));
  });
  await page.waitForTimeout(300);  // the image error event, had its handler been allowed
  expect(await page.evaluate(() => (window as unknown as CspWindow).__inlineRan)).toBeUndefined();
  expect(await page.evaluate(() => (window as unknown as CspWindow).__handlerRan)).toBeUndefined();
  expect(result).toEqual({ evalResult: 'EvalError', styleApplied: false });
  const seen = (await violations(alice)).map((v) => v.directive);
  expect(seen).toEqual(expect.arrayContaining(['script-src-elem', 'script-src-attr', 'style-src-elem', 'script-src']));
  // The app still works after the refusals.
  await send(bob, 'still fine');
  await expect(messageByText(alice, 'still fine')).toBeVisible();
});

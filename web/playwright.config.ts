import { defineConfig } from '@playwright/test';

// End-to-end tests: Debian's Chromium, real parley-server started by the global setup.
// Never downloads Playwright's own browsers.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  // Plain host candidates instead of mDNS names: no multicast, and peers in one browser connect directly.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
];

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  // e2e/nat needs network namespaces: scripts/test.d/45-nat.sh runs it with playwright.nat.config.ts.
  testIgnore: '**/e2e/nat/**',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  globalSetup: './e2e/globalSetup.ts',
  globalTeardown: './e2e/globalTeardown.ts',
  outputDir: '../test-artifacts/playwright',
  reporter: [['list'], ['json', { outputFile: '../test-artifacts/playwright-results.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    viewport: { width: 1100, height: 720 },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});

import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS } from './playwright.config';

// NAT traversal tests (issue 13, item 4): run only by scripts/test.d/45-nat.sh, which builds the
// network namespaces, starts coturn and parley-server in the 'public' one, and points
// PARLEY_NAT_CHROMIUM at a wrapper that runs Debian's Chromium inside a 'home' namespace behind
// its own NAT. No global setup: the script owns every process. Specs skip without PARLEY_NAT_URL.
export default defineConfig({
  testDir: './e2e/nat',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  outputDir: '../test-artifacts/playwright-nat',
  reporter: [['list'], ['json', { outputFile: '../test-artifacts/playwright-nat-results.json' }]],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.PARLEY_NAT_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
    viewport: { width: 1100, height: 720 },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});

import { defineConfig } from '@playwright/test';

// The web benchmark: one Chromium (Debian's), real parley-server, results to stdout and JSON.
export default defineConfig({
  testDir: '.',
  testMatch: 'bench.spec.ts',
  timeout: 900_000,
  workers: 1,
  reporter: [['list']],
  globalSetup: '../../web/e2e/globalSetup.ts',
  globalTeardown: '../../web/e2e/globalTeardown.ts',
  outputDir: '../../test-artifacts/bench-web',
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-features=WebRtcHideLocalIpsWithMdns', ...(process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean)],
    },
  },
});

import { defineConfig } from '@playwright/test';

// Browser tests of the built dApp (scripts/dapp.sh builds it, starts the fixture world and
// runs these): Debian's Chromium, never a downloaded browser.
const out = process.env.MEDCHAIN_DAPP_OUT ?? 'test-results';
// scripts/env.sh's MEDCHAIN_DAPP_PORT, the port the gateway's CORS rule lets in.
const port = process.env.MEDCHAIN_DAPP_PORT ?? '4173';

export default defineConfig({
  testDir: 'e2e',
  timeout: 300_000,
  expect: { timeout: 60_000 },
  outputDir: `${out}/playwright`,
  reporter: [['list'], ['json', { outputFile: `${out}/report.json` }]],
  workers: 1,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: `npx vite preview --port ${port}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});

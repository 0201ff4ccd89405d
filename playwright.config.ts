// Browser-mode end-to-end tests against the real `vethscope serve` and the private dockerd.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  // electron.spec.ts belongs to the Electron suite; it runs with its own launcher.
  testIgnore: ['electron.spec.ts'],
  globalSetup: './test/e2e/global-setup.ts',
  outputDir: 'test/artifacts/e2e-output',
  // One private daemon and one bridge are shared: one worker.
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test/artifacts/reports/e2e.json' }]],
  use: {
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
    headless: true,
    trace: 'off',
  },
});

// The Electron suite (playwright.config.ts ignores electron.spec.ts): one worker, no browser.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: ['electron.spec.ts'],
  outputDir: '../artifacts/e2e-electron-output',
  workers: 1,
  timeout: 120_000,
  reporter: [['list'], ['json', { outputFile: '../artifacts/reports/e2e-electron.json' }]],
});

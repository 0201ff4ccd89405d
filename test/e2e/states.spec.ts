// States the real daemon cannot be put in safely (no containers at all, a refused
// helper) are shown with the bench's fake backend serving the built renderer.
import { test, expect } from '@playwright/test';
import path from 'node:path';
import { startFakeBackend, type FakeBackend } from '../bench/fake-backend';
import type { Topology } from '../../shared/topology';
import { shot, skipUnlessReady } from './helpers';

const empty: Topology = {
  generatedAt: new Date().toISOString(),
  hostNetns: 1,
  containers: [],
  namespaces: [{ inode: 1, names: [], isHost: true, pids: [1], paths: [], interfaces: [] }],
  docker: { available: true },
  privileged: { available: true, mode: 'root' },
  engines: [],
  warnings: [],
  elapsedMs: 3,
};
let fake: FakeBackend;
let retried = 0;
test.beforeAll(async () => {
  if (process.env.VSU_E2E_SKIP) return;
  fake = await startFakeBackend({
    root: path.resolve('dist/renderer'),
    topology: () => empty,
    status: () => {
      const refused = retried === 0;
      return {
        version: 'fake',
        docker: { available: true },
        privileged: refused ? { available: false, mode: 'none', error: { code: 'HELPER_REFUSED', message: 'The password prompt was cancelled.' } } : { available: true, mode: 'helper' },
        capturesDir: '/tmp',
        launchers: { wireshark: false, fileManager: false },
      };
    },
  });
});
test.afterAll(async () => fake?.close());

test('no containers, and a refused helper with a working Retry', async ({ page }) => {
  skipUnlessReady();
  await page.route('**/api/call/retryHelper', async (route) => {
    retried++;
    await route.continue();
  });
  await page.goto(fake.url);
  await expect(page.getByTestId('no-containers')).toBeVisible();
  const helper = page.getByTestId('helper-banner');
  await expect(helper).toContainText('HELPER_REFUSED');
  await shot(page, 'empty-and-helper-refused');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, 'empty-and-helper-refused-dark');
  await helper.getByRole('button', { name: 'Retry' }).click();
  await expect(helper).toHaveCount(0);
});

test('loading state while discovery is slow', async ({ page }) => {
  skipUnlessReady();
  await page.route('**/api/call/getTopology', async (route) => {
    await new Promise((r) => setTimeout(r, 3000));
    await route.continue().catch(() => undefined);
  });
  await page.goto(fake.url);
  await expect(page.getByText('Discovering namespaces and containers…')).toBeVisible();
  await shot(page, 'loading');
});

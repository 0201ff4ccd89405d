// The desktop app end to end: launch dist/main.cjs in Electron, check the window is
// locked down, and run one capture of a container of our own. Runs only where an
// Electron binary, a display and a non-root user exist; otherwise it skips and says why.
// Run: npx playwright test -c test/e2e/electron.config.ts
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { docker, DOCKER_HOST, removeSuiteContainers, runContainer } from '../support/env';

const ROOT = path.resolve(__dirname, '../..');
const SUITE = 'e2e-electron';

/** The same rules as npm start (scripts/start.mjs decideLaunch), inlined: Playwright cannot load that ESM script. */
function electronBinary(): { binary: string; reason: '' } | { binary: ''; reason: string } {
  let binary: unknown;
  try {
    binary = require('electron'); // outside Electron: the binary's path, or a throw when it was never downloaded
  } catch (err) {
    return { binary: '', reason: `no Electron binary: ${(err as Error).message.split('\n')[0]}` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { binary: '', reason: `no Electron binary at ${String(binary)}` };
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { binary: '', reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY unset)' };
  if (process.getuid?.() === 0) return { binary: '', reason: 'running as root: the renderer sandbox cannot run as root' };
  return { binary, reason: '' };
}
const found = electronBinary();
const skipReason = found.reason;
if (skipReason) console.log(`[electron e2e] skipped: ${skipReason}`);

test.describe.configure({ mode: 'serial' });
let app: ElectronApplication | undefined;

test.beforeAll(async () => {
  if (skipReason) return;
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  removeSuiteContainers(SUITE);
  runContainer(SUITE, 'vss-e2e-electron-a');
  runContainer(SUITE, 'vss-e2e-electron-b');
  app = await electron.launch({ executablePath: found.binary, args: [path.join(ROOT, 'dist/main.cjs')], env: { ...process.env, DOCKER_HOST } });
});

test.afterAll(async () => {
  await app?.close();
  if (!skipReason) removeSuiteContainers(SUITE);
});

test('the window is sandboxed and exposes only window.vethscope {call, on}', async () => {
  test.skip(!!skipReason, skipReason);
  const page = await app!.firstWindow();
  expect(page.url()).toBe('app://vethscope/index.html');
  const prefs = await app!.evaluate(({ BrowserWindow }) => (BrowserWindow.getAllWindows()[0]!.webContents as any).getLastWebPreferences());
  expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
  expect(await page.evaluate(() => Object.keys((globalThis as any).vethscope).sort())).toEqual(['call', 'on']);
  expect(await page.evaluate(() => typeof (globalThis as any).require)).toBe('undefined');
  // Navigation away is refused: the URL stays ours.
  await page.evaluate(() => ((globalThis as any).location.href = 'https://example.com/')).catch(() => {});
  await page.waitForTimeout(500);
  expect(page.url()).toBe('app://vethscope/index.html');
  const res = await page.evaluate(() => (globalThis as any).vethscope.call('getTopology', {}));
  expect(res.ok).toBe(true);
});

test('capture one container from the window', async () => {
  test.skip(!!skipReason, skipReason);
  const page = await app!.firstWindow();
  await page.getByRole('searchbox', { name: 'Find container' }).fill('vss-e2e-electron-a');
  await page.getByRole('button', { name: /vss-e2e-electron-a/ }).first().click();
  const panel = page.getByRole('complementary', { name: 'Selection details' });
  await panel.getByRole('button', { name: 'Start capture' }).click();
  const running = page.getByRole('region', { name: 'Running captures' });
  await expect(running.getByRole('button', { name: 'Stop capture' })).toBeVisible({ timeout: 15_000 });
  const ipB = docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', 'vss-e2e-electron-b');
  docker('exec', 'vss-e2e-electron-a', 'ping', '-c', '5', '-i', '0.2', ipB);
  await expect(running.getByTestId('capture-packets')).not.toHaveText('0', { timeout: 10_000 });
  await running.getByRole('button', { name: 'Stop capture' }).click();
  await expect(page.getByRole('region', { name: 'Saved captures' }).getByRole('row', { name: /Capture / }).first()).toBeVisible();
});

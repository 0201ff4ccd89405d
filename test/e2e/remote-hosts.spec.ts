// The app with two remote Docker hosts over SSH (issue 15): `vethscope --host alpha --host beta
// serve` against the two hosts test/support/remote-host.sh builds on this machine, in Debian's
// Chromium. Each host its own region with its name; one selection across both hosts; one
// capture into one file holding both containers' pings, checked with tshark.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import { DOCKER_HOST } from '../support/env';
import { buildLab, destroyLab, remoteDocker, type RemoteLab } from '../support/remote-host';
import { tsharkFields } from '../support/tshark';
import { shot, skipUnlessReady } from './helpers';

test.describe.configure({ mode: 'serial' });

let lab: RemoteLab | null = null;
let serve: ChildProcess | null = null;
let link = '';
let captures = '';

test.beforeAll(async () => {
  if (process.env.VSU_E2E_SKIP) return;
  test.setTimeout(120_000);
  lab = buildLab(['alpha', 'beta']);
  for (const h of lab.hosts) {
    const web = `web-${h.name[0]}`;
    remoteDocker(h, 'run', '-d', '--name', web, 'vethscope-test/busybox:1', 'sleep', '100000');
    const ip = remoteDocker(h, 'inspect', '-f', '{{.NetworkSettings.IPAddress}}', web);
    remoteDocker(h, 'run', '-d', '--name', `pinger-${h.name[0]}`, 'vethscope-test/busybox:1', 'ping', '-i', '0.2', ip);
  }
  captures = mkdtempSync(join(lab.home, 'captures-'));
  serve = spawn(process.execPath, ['bin/vethscope.cjs', '--host', 'alpha', '--host', 'ssh://beta', 'serve', '--port', '0', '--captures-dir', captures], { env: { ...lab.env, DOCKER_HOST }, stdio: ['pipe', 'pipe', 'pipe'] });
  link = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no link: ${out}`)), 30_000);
    serve!.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const l = out.split('\n').find((x) => x.startsWith('http'));
      if (l) {
        clearTimeout(timer);
        resolve(l.trim());
      }
    });
    serve!.stderr!.on('data', (d: Buffer) => (out += String(d)));
  });
});

test.afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((r) => serve!.once('exit', r));
    serve.kill('SIGTERM');
    await exited;
  }
  destroyLab(lab);
});

test('two SSH hosts, each its own region; one capture of a container on each into one file', async ({ page }) => {
  skipUnlessReady();
  test.setTimeout(120_000);
  await page.goto(link);
  const alpha = page.getByTestId('region-alpha');
  const beta = page.getByTestId('region-beta');
  await expect(alpha.getByRole('heading')).toHaveText(/^alpha · reachable · \d+ ms$/, { timeout: 30_000 });
  await expect(beta.getByRole('heading')).toHaveText(/^beta · reachable · \d+ ms$/);
  await expect(page.getByTestId('host-alpha')).toContainText('alpha · reachable');
  const webA = alpha.locator('.react-flow__node', { hasText: 'web-a' });
  const webB = beta.locator('.react-flow__node', { hasText: 'web-b' });
  // The header's search finds a container on another host, says which, and brings it into view in its region.
  const search = page.getByRole('searchbox', { name: 'Find container' });
  await search.fill('web-a');
  await expect(page.getByText(/On other hosts: alpha: /)).toBeVisible();
  await expect(webA).toBeVisible();
  await webA.click();
  await expect(page.getByRole('heading', { name: 'alpha: web-a' })).toBeVisible();
  await search.fill('web-b');
  await expect(page.getByText(/On other hosts: beta: /)).toBeVisible();
  await expect(webB).toBeVisible();
  await webB.click({ modifiers: ['Shift'] });
  await expect(page.getByRole('heading', { name: '2 selected' })).toBeVisible();
  await shot(page, 'remote-hosts-selected');
  await page.getByRole('button', { name: /Start capture \(2 targets, one file\)/ }).click();
  const stop = page.getByRole('button', { name: 'Stop capture' });
  await expect(stop).toBeVisible({ timeout: 30_000 });
  await page.waitForTimeout(2500);
  await stop.click();
  await expect(stop).toBeHidden({ timeout: 30_000 });
  const file = readdirSync(captures).find((f) => f.endsWith('.pcapng'));
  expect(file).toBeTruthy();
  const names = new Set(tsharkFields(join(captures, file!), ['frame.interface_name'], ['-Y', 'icmp']).map((r) => r[0]!.replace(/ \(.*$/, '')));
  expect([...names].sort()).toEqual(['alpha/web-a/eth0', 'beta/web-b/eth0']);
  await shot(page, 'remote-hosts-captured');
});

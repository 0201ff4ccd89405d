// A docker-compose project as a new user meets it (issue 14): web, redis and a client on two
// networks, the client fetching a page from web by name every 200 ms. Network names on the map
// and in search; a capture with Follow on across a restart (the gap shown while it runs and in
// the saved row); one without Follow that ends and says why; a merged capture with an Interface
// column and the client's DNS over lo; a packet list that counts from packet 1, says how much it
// shows and follows the newest until scrolled up; the saved Packets view read from the file; a
// 900x700 window. Screenshots in test/artifacts/screenshots. Every file is checked with tshark.
import { execFileSync } from 'node:child_process';
import type { Locator, Page } from '@playwright/test';
import { docker, ipOf } from '../support/env';
import { test, expect } from './fixtures';
import { containerNode, shot, skipUnlessReady } from './helpers';
import { BACK, CLIENT, FRONT, REDIS, WEB, removeProject, restart, startProject } from './compose-project';
import { inside, overlaps, untilStill } from './measure';

test.describe.configure({ mode: 'serial' });
test.beforeAll(() => {
  if (!process.env.VSU_E2E_SKIP) startProject();
});
test.afterAll(() => {
  if (!process.env.VSU_E2E_SKIP) removeProject();
});

const tshark = (file: string, ...fields: string[]) =>
  execFileSync('tshark', ['-n', '-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 64 << 20 })
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));

const panelOf = (page: Page) => page.getByRole('complementary', { name: 'Selection details' });
const runningOf = (page: Page) => page.getByRole('region', { name: 'Running captures' });
const savedOf = (page: Page) => page.getByRole('region', { name: 'Saved captures' });

/** Open the app, wait for the project on the map, select one container through the search (Enter). */
async function openOn(page: Page, link: string, name: string): Promise<Locator> {
  await page.goto(link);
  const search = page.getByRole('searchbox', { name: 'Find container' });
  // Only what is in view is drawn: the search brings the container into view.
  await search.fill(name);
  await expect(containerNode(page, name)).toBeVisible({ timeout: 30_000 });
  await search.press('Enter');
  const panel = panelOf(page);
  await expect(panel.getByRole('heading', { name })).toBeVisible();
  return panel;
}

async function packetsNow(page: Page): Promise<number> {
  return Number(await runningOf(page).getByTestId('capture-packets').first().textContent());
}

/** The newest saved row's file (its title holds the path). */
async function newestSavedFile(page: Page): Promise<{ row: Locator; file: string }> {
  // Once the capture stopped (until then it is still in the running list, not a saved row).
  await expect(runningOf(page).getByRole('button', { name: /^(Stop capture|Stopping…)$/ })).toHaveCount(0, { timeout: 20_000 });
  const row = savedOf(page).getByRole('row', { name: /Capture / }).first();
  await expect(row).toBeVisible({ timeout: 20_000 });
  const file = (await row.locator('.vs-file').getAttribute('title'))!;
  return { row, file };
}

test('network names on the bridges; search finds networks, addresses and services; a bridge command stays on the host', async ({ page, served }) => {
  skipUnlessReady();
  await page.goto(await served.newLink());
  await expect(page.getByText(/discovered in/)).toBeVisible({ timeout: 30_000 });
  // The whole map in view (only what is in view is drawn): both bridges carry their network's name.
  await page.getByRole('button', { name: 'Fit the whole map' }).click();
  for (const net of [FRONT, BACK]) await expect(page.getByRole('button', { name: new RegExp(`^Bridge ${net} \\(br-[0-9a-f]{12}\\)$`) })).toBeAttached();
  await shot(page, 'compose-bridges-named');
  const search = page.getByRole('searchbox', { name: 'Find container' });
  await search.fill(BACK);
  await expect(page.getByRole('status').filter({ hasText: `network ${BACK}` })).toBeVisible();
  await search.press('Enter');
  const panel = panelOf(page);
  await expect(panel.getByRole('heading', { name: new RegExp(`^Bridge ${BACK}`) })).toBeVisible();
  await expect(panel.getByText(`Docker network ${BACK}`)).toBeVisible();
  const cmd = panel.locator('.vs-cmd code').first();
  await expect(cmd).toHaveText(/^tcpdump -i br-[0-9a-f]{12} -w /);
  await shot(page, 'compose-network-search');
  // An address (whole, or the start of one), and a compose service.
  await search.fill(ipOf(REDIS, BACK));
  await search.press('Enter');
  await expect(panel.getByRole('heading', { name: REDIS })).toBeVisible();
  await search.fill(ipOf(CLIENT, BACK).split('.').slice(0, 3).join('.') + '.');
  await expect(page.getByRole('status').filter({ hasText: /^10\.214\.12\.\d+$/ })).toBeVisible();
  await search.fill('redis');
  await expect(page.getByRole('status').filter({ hasText: `service redis (${REDIS})` })).toBeVisible();
  await shot(page, 'compose-service-search');
});

test('Follow (on by default) keeps capturing across a restart; the gap shows while it runs and in the saved row', async ({ page, served }) => {
  skipUnlessReady();
  const panel = await openOn(page, await served.newLink(), WEB);
  const follow = panel.getByRole('checkbox', { name: 'Follow the container across restarts' });
  await expect(follow).toBeChecked();
  // DNS: lo is offered, off, with the one-line reason.
  await expect(panel.getByRole('checkbox', { name: `${WEB} / lo (DNS lookups)` })).not.toBeChecked();
  await expect(panel.getByText(/Docker's embedded resolver \(127\.0\.0\.11\) answers a container's lookups over its lo/)).toBeVisible();
  await shot(page, 'capture-form-follow-dns');
  await panel.getByRole('button', { name: 'Start capture' }).click();
  const running = runningOf(page);
  await expect(running.getByRole('button', { name: 'Stop capture' })).toBeVisible({ timeout: 15_000 });
  await expect.poll(() => packetsNow(page), { timeout: 15_000 }).toBeGreaterThan(0);

  restart(WEB);
  await expect(running.getByTestId('capture-gap')).toContainText(/restarted, \d+\.\d s not captured/, { timeout: 30_000 });
  // The panel still shows the container it was showing (its namespace, and node, are new).
  await expect(panel.getByRole('heading', { name: WEB })).toBeVisible();
  // (The live counter of a re-attached interface lags behind the file on the current capture
  // path, reported to its owner; the file below is the judge of what was captured.)
  await page.waitForTimeout(2000);
  await shot(page, 'follow-gap-running');
  await running.getByRole('button', { name: 'Stop capture' }).click();

  const { row, file } = await newestSavedFile(page);
  await expect(row.getByTestId('saved-gap')).toHaveText(/^restarted, \d+\.\d s not captured$/);
  await shot(page, 'follow-gap-saved');
  // The file: packets before and after the restart, each on the veth that carried it.
  const names = tshark(file, 'frame.interface_name').map(([n]) => n!);
  const distinct = [...new Set(names)];
  expect(distinct).toHaveLength(2);
  for (const n of distinct) expect(n).toMatch(new RegExp(`^${WEB}/eth0 \\(veth[0-9a-f]+\\)$`));
  console.log(`[e2e] follow: ${distinct.map((n) => `${n}: ${names.filter((x) => x === n).length}`).join(', ')} packets in the file`);
});

test('without Follow, a restart ends the capture, and the running list and the saved row say why', async ({ page, served }) => {
  skipUnlessReady();
  const panel = await openOn(page, await served.newLink(), WEB);
  await panel.getByRole('checkbox', { name: 'Follow the container across restarts' }).uncheck();
  await panel.getByRole('button', { name: 'Start capture' }).click();
  const running = runningOf(page);
  await expect(running.getByRole('button', { name: 'Stop capture' })).toBeVisible({ timeout: 15_000 });
  restart(WEB);
  await expect(running.getByTestId('capture-ended')).toHaveText('Ended: the container stopped or went away. The file is in Saved captures.', { timeout: 30_000 });
  await shot(page, 'ended-reason-running');
  await running.getByRole('button', { name: 'Dismiss' }).click();
  await expect(running).toHaveCount(0);
  const { row } = await newestSavedFile(page);
  await expect(row.getByTestId('saved-reason')).toHaveText('ended: the container stopped or went away');
  await shot(page, 'ended-reason-saved');
});

test('a merged capture has an Interface column; ticking lo records the DNS lookups', async ({ page, served }) => {
  skipUnlessReady();
  const panel = await openOn(page, await served.newLink(), CLIENT);
  const web = containerNode(page, WEB);
  await untilStill(containerNode(page, CLIENT));
  await expect(web).toBeInViewport();
  await web.click({ modifiers: ['Shift'] });
  await expect(panel.getByRole('heading', { name: '2 selected' })).toBeVisible();
  await panel.getByRole('checkbox', { name: `${CLIENT} / lo (DNS lookups)` }).check();
  await panel.getByRole('textbox', { name: 'Filter (BPF)' }).fill('udp or tcp port 80');
  await expect(panel.getByText('Filter is valid')).toBeVisible();
  await panel.getByRole('button', { name: /Start capture \(2 targets, one file\)/ }).click();
  const running = runningOf(page);
  await expect(running.getByRole('button', { name: 'Stop capture' })).toBeVisible({ timeout: 15_000 });
  const list = running.getByRole('region', { name: 'Packets' });
  await expect(list.getByRole('columnheader', { name: 'Interface' })).toBeVisible();
  for (const where of [`${CLIENT}/eth0`, `${WEB}/eth0`, `${CLIENT}/lo`]) await expect(list.getByRole('cell', { name: where, exact: true }).first()).toBeVisible({ timeout: 15_000 });
  await expect(list.getByRole('row').filter({ has: page.getByRole('cell', { name: `${CLIENT}/lo`, exact: true }) }).filter({ has: page.getByRole('cell', { name: 'DNS', exact: true }) }).first()).toBeVisible();
  await shot(page, 'merged-interface-dns');
  await running.getByRole('button', { name: 'Stop capture' }).click();
  const { file } = await newestSavedFile(page);
  const dnsOnLo = tshark(file, 'frame.interface_name', 'dns.qry.name').filter(([i, q]) => i!.startsWith(`${CLIENT}/lo (`) && q === WEB);
  expect(dnsOnLo.length).toBeGreaterThan(0);
});

test('the packet list counts from packet 1, says what it shows, follows the newest until scrolled up; the saved view reads the file', async ({ page, served }) => {
  skipUnlessReady();
  const panel = await openOn(page, await served.newLink(), WEB);
  await panel.getByRole('textbox', { name: 'Filter (BPF)' }).fill('icmp');
  await expect(panel.getByText('Filter is valid')).toBeVisible();
  await panel.getByRole('button', { name: 'Start capture' }).click();
  const running = runningOf(page);
  await expect(running.getByRole('button', { name: 'Stop capture' })).toBeVisible({ timeout: 15_000 });
  // 1400 packets over 7 s: past the list's 500 rows (bounded, between our own containers).
  const ping = docker('exec', '-d', CLIENT, 'ping', '-c', '700', '-i', '0.01', '-q', ipOf(WEB, FRONT));
  void ping;
  const list = running.getByRole('region', { name: 'Packets' });
  await expect(running.getByTestId('packet-count')).toHaveText(/^Showing the last 500 of [\d,]+ packets/, { timeout: 20_000 });
  await expect(list).toHaveAttribute('data-following', 'yes');
  const atBottom = () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight <= 8);
  await expect.poll(atBottom).toBe(true);
  // The user scrolls up: the list stays where they put it while packets keep coming.
  await list.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(list).toHaveAttribute('data-following', 'no');
  const newest = running.getByRole('button', { name: '↓ Newest' });
  await expect(newest).toBeVisible();
  const before = await packetsNow(page);
  await expect.poll(() => packetsNow(page)).toBeGreaterThan(before + 100);
  expect(await list.evaluate((el) => el.scrollTop)).toBeLessThan(40);
  await shot(page, 'packets-scrolled-up');
  await newest.click();
  await expect(list).toHaveAttribute('data-following', 'yes');
  await expect.poll(atBottom).toBe(true);
  await expect.poll(() => packetsNow(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(1400);
  // Times count from packet 1 of the capture, not from the first row the window still holds.
  const firstRow = list.getByRole('row').nth(1);
  const [no, time] = await firstRow.getByRole('cell').allTextContents();
  expect(Number(no)).toBeGreaterThan(1);
  expect(Number(time)).toBeGreaterThan(2);
  await shot(page, 'packets-live-rolled');
  await running.getByRole('button', { name: 'Stop capture' }).click();

  const { row, file } = await newestSavedFile(page);
  const frames = tshark(file, 'frame.number', 'frame.time_relative');
  await row.getByRole('button', { name: 'Packets' }).click();
  const saved = savedOf(page).getByRole('region', { name: 'Packets' });
  await expect(savedOf(page).getByTestId('packet-count')).toHaveText(`Showing the first 1,000 of ${frames.length.toLocaleString('en-US')} packets: open the file in Wireshark for the rest`);
  // Numbered and timed as tshark has them: packet 1 at 0, packet 1000 where the file has it.
  const cells = async (n: number) => saved.getByRole('row').nth(n).getByRole('cell').allTextContents();
  expect((await cells(1)).slice(0, 2)).toEqual(['1', '0.000000']);
  const [n1000, t1000] = await cells(1000);
  expect(n1000).toBe('1000');
  expect(Number(t1000)).toBeCloseTo(Number(frames[999]![1]), 5);
  await shot(page, 'packets-saved-from-file');
});

test('900x700: the header wraps between phrases, the saved row keeps its buttons on screen with Packets open, the overview covers no node; no display means no launcher', async ({ page, served }) => {
  skipUnlessReady();
  await page.setViewportSize({ width: 900, height: 700 });
  await page.goto(await served.newLink());
  await page.getByRole('searchbox', { name: 'Find container' }).fill(WEB);
  await expect(containerNode(page, WEB)).toBeVisible({ timeout: 30_000 });
  await page.getByRole('searchbox', { name: 'Find container' }).fill(FRONT);
  await expect(page.getByText(/discovered in/)).toBeVisible();
  // Each phrase of the header sits on one line (all its boxes share a top).
  for (const el of await page.locator('.vs-header .vs-nowrap, .vs-header h1').all()) expect(await el.evaluate((e) => new Set([...e.getClientRects()].map((r) => Math.round(r.top))).size), (await el.textContent()) ?? '').toBe(1);
  const map = (await page.locator('.vs-map').boundingBox())!;
  const overview = (await page.getByRole('region', { name: 'Overview' }).boundingBox())!;
  expect(overlaps(map, overview)).toBe(false);
  await shot(page, 'layout-900x700');

  // A capture made in this window: the running one fits too, then its saved row.
  await page.getByRole('searchbox', { name: 'Find container' }).fill(WEB);
  await page.getByRole('searchbox', { name: 'Find container' }).press('Enter');
  await panelOf(page).getByRole('button', { name: 'Start capture' }).click();
  await expect.poll(() => packetsNow(page), { timeout: 15_000 }).toBeGreaterThan(5);
  await shot(page, 'layout-900x700-running');
  await runningOf(page).getByRole('button', { name: 'Stop capture' }).click();
  const { row } = await newestSavedFile(page);
  await row.scrollIntoViewIfNeeded();
  await row.getByRole('button', { name: 'Packets' }).click();
  await expect(savedOf(page).getByRole('region', { name: 'Packets' })).toBeVisible();
  const bottom = page.locator('.vs-bottom');
  const screen = { x: 0, y: 0, width: 900, height: 700 };
  for (const name of ['Save as…', 'Reveal in folder', 'Open in Wireshark', 'Packets', 'Delete']) {
    const b = (await row.getByRole('button', { name, exact: true }).boundingBox())!;
    expect(inside({ ...b, y: 0, height: 1 }, screen), `${name} at x=${b.x}..${b.x + b.width}`).toBe(true);
  }
  expect(await bottom.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  expect(await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
  // This host has no display: the launchers say so instead of pretending to open a window.
  await expect(savedOf(page).getByTestId('launchers-unavailable')).toContainText('no display on the host vethscope runs on');
  await expect(row.getByRole('button', { name: 'Reveal in folder' })).toBeDisabled();
  await shot(page, 'layout-900x700-saved-packets');
});

// A busy host (issue 14): 60 containers, compose projects among them, one container far busier
// than the rest (served by the fake backend from the recorded fixture, scaled). The first view
// opens on what matters with text a person can read; the keyboard reaches every node in visual
// order, one Tab stop for the whole map, the focused node always in view; Escape gives the
// focus back to the node. Also at 900x700.
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeBackend, type FakeBackend } from '../bench/fake-backend';
import { scaleTopology, trimTopology } from '../bench/scale-topology';
import type { Topology } from '../../shared/topology';
import type { RatesSample } from '../../shared/rates';
import { shot, skipUnlessReady } from './helpers';
import { inMapView, mapZoom, smallestMapText } from './measure';

const base = trimTopology(JSON.parse(readFileSync('test/fixtures/topology-recorded.json', 'utf8')) as Topology, 6);
const busy = scaleTopology(base, 60);
const running = busy.containers.filter((c) => c.netns !== null);
/** Containers alone in their namespace: their node is named exactly after them. */
const alone = running.filter((c) => running.filter((x) => x.netns === c.netns).length === 1);
/** Far from the map's top-left corner, where a big map used to open. */
const busiest = alone.at(-3)!;
const nodeNamed = (page: Page, name: string) => page.locator(`.react-flow__node[aria-label="${name}"]`);

function rates(t: Topology): RatesSample {
  const containers = t.containers
    .filter((c) => c.netns !== null)
    .map((c) => {
      const bps = c.id === busiest.id ? 4e6 : 200;
      return { id: c.id, name: c.name, rxBytesPerSec: bps, txBytesPerSec: bps / 2, rxPacketsPerSec: bps / 800, txPacketsPerSec: bps / 1600 };
    });
  return { time: Math.floor(Date.now() / 100) / 10, intervalSec: 1, interfaces: [], containers };
}

let fake: FakeBackend;
test.beforeAll(async () => {
  if (process.env.VSU_E2E_SKIP) return;
  fake = await startFakeBackend({ root: path.resolve('dist/renderer'), topology: () => busy, rates: () => rates(busy) });
});
test.afterAll(async () => fake?.close());

const focusedName = (page: Page) => page.evaluate<string | null>(`document.activeElement?.classList.contains('react-flow__node') ? document.activeElement.getAttribute('aria-label') : null`);

for (const [w, h] of [[1400, 900], [900, 700]] as const) {
  test(`first view at ${w}x${h}: on the busiest container, every text at least 11 px, the project titles readable`, async ({ page }) => {
    skipUnlessReady();
    await page.setViewportSize({ width: w, height: h });
    await page.goto(fake.url);
    const node = nodeNamed(page, busiest.name);
    await expect(node).toBeVisible({ timeout: 15_000 });
    await expect.poll(() => inMapView(page, node)).toBe(true);
    await page.waitForTimeout(500);
    const text = await smallestMapText(page);
    console.log(`[e2e] ${w}x${h}: zoom ${(await mapZoom(page)).toFixed(2)}, ${text.count} texts in view, smallest ${text.px.toFixed(1)} px ("${text.text}")`);
    expect(text.count).toBeGreaterThan(5);
    expect(text.px, `smallest text: "${text.text}"`).toBeGreaterThanOrEqual(11);
    await shot(page, `busy-host-first-view-${w}x${h}`);
  });
}

test('keyboard: one Tab stop for the map; arrows walk every node in visual order, each in view; Escape returns to the node', async ({ page }) => {
  skipUnlessReady();
  await page.goto(fake.url);
  await expect(nodeNamed(page, busiest.name)).toBeVisible({ timeout: 15_000 });
  const search = page.getByRole('searchbox', { name: 'Find container' });
  await search.focus();
  // Tab from the header's last control into the map: one stop, a node.
  await page.getByRole('checkbox', { name: /Show stopped/ }).focus();
  await page.keyboard.press('Tab');
  const entered = await focusedName(page);
  expect(entered).not.toBeNull();
  await page.keyboard.press('Tab');
  expect(await focusedName(page)).toBeNull(); // the next Tab leaves the map
  await page.keyboard.press('Shift+Tab');
  expect(await focusedName(page)).toBe(entered);

  // End finds the last node (off screen: brought into view); Home the first; ArrowRight walks
  // from one to the other through every node once, each in view when focused.
  await page.keyboard.press('End');
  await expect.poll(() => focusedName(page)).not.toBe(entered);
  const last = (await focusedName(page))!;
  expect(await inMapView(page, page.locator('.react-flow__node:focus'))).toBe(true);
  await page.keyboard.press('Home');
  await expect.poll(() => focusedName(page)).toMatch(/^Host namespace/);
  const seen: string[] = [(await focusedName(page))!];
  while (seen.at(-1) !== last && seen.length < 300) {
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => focusedName(page)).not.toBe(seen.at(-1));
    const name = (await focusedName(page))!;
    seen.push(name);
    expect(await inMapView(page, page.locator('.react-flow__node:focus')), `${name} in view`).toBe(true);
  }
  // Every running container's node (one per namespace), each once.
  for (const c of running) expect(seen.some((n) => n.split(', ').includes(c.name)), c.name).toBe(true);
  expect(new Set(seen).size).toBe(seen.length);
  console.log(`[e2e] keyboard: ${seen.length} nodes in order for ${running.length} running containers`);
  await shot(page, 'keyboard-last-node');

  // The searched container is the map's Tab stop; Enter opens it, Escape comes back to it.
  const far = alone[30]!;
  await search.fill(far.name);
  await expect(nodeNamed(page, far.name)).toBeInViewport();
  await page.getByRole('checkbox', { name: /Show stopped/ }).focus();
  await page.keyboard.press('Tab');
  expect(await focusedName(page)).toBe(far.name);
  await page.keyboard.press('Enter');
  const panel = page.getByRole('complementary', { name: 'Selection details' });
  await expect(panel.getByRole('heading', { name: far.name })).toBeFocused();
  await shot(page, 'keyboard-panel-open');
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect.poll(() => focusedName(page)).toBe(far.name);
  expect(await inMapView(page, nodeNamed(page, far.name))).toBe(true);
});

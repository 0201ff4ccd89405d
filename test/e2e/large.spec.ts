// A 300-container map (fake backend: the recorded fixture cloned) and push updates
// without the real daemon: what the first screen shows, fit-all, and a pushed
// 'topology' event reaching the map without a poll.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startFakeBackend, type FakeBackend } from '../bench/fake-backend';
import { scaleTopology, trimTopology } from '../bench/scale-topology';
import { syntheticRates } from '../bench/synthetic-rates';
import type { Topology } from '../../shared/topology';
import { containerNode, shot, skipUnlessReady } from './helpers';

const base = trimTopology(JSON.parse(readFileSync('test/fixtures/topology-recorded.json', 'utf8')) as Topology, 6);
const big = scaleTopology(base, 300);
let current: Topology = big;
let topologyCalls = 0;
let fake: FakeBackend;
test.beforeAll(async () => {
  if (process.env.VSU_E2E_SKIP) return;
  fake = await startFakeBackend({
    root: path.resolve('dist/renderer'),
    topology: () => {
      topologyCalls++;
      return current;
    },
    rates: () => syntheticRates(current),
  });
});
test.afterAll(async () => fake?.close());

test('300 containers: opens readable on the busiest container; fit shows the whole map', async ({ page }) => {
  skipUnlessReady();
  current = big;
  await page.goto(fake.url);
  // The first view opens on a container (the busiest, once rates arrive: busy-host.spec checks which), at natural size.
  await expect(page.locator('.react-flow__node-netns').first()).toBeInViewport();
  // Readable: node detail (interfaces) is drawn, and only part of the map is in the DOM.
  await expect(page.locator('.react-flow__node-netns .vs-iface').first()).toBeVisible();
  expect(await page.locator('.react-flow__node-netns').count()).toBeLessThan(150);
  await page.waitForTimeout(500);
  await shot(page, 'large-300-default');
  await page.getByRole('button', { name: 'Fit the whole map' }).click();
  // Far out: names only, no edge labels; the last container is on screen.
  const last = big.containers.filter((c) => c.netns !== null).at(-1)!.name;
  await expect(containerNode(page, last)).toBeInViewport();
  await expect(page.locator('.vs-node.is-far').first()).toBeVisible();
  await expect(page.locator('.react-flow__edge-text')).toHaveCount(0);
  await page.waitForTimeout(300);
  await shot(page, 'large-300-fit');
});

test('a pushed topology event puts a new container on the map without a poll', async ({ page }) => {
  skipUnlessReady();
  current = scaleTopology(base, 8);
  await page.goto(fake.url);
  const first = current.containers.at(-1)!.name; // a name no other name contains
  await expect(containerNode(page, first)).toBeAttached();
  await page.waitForTimeout(500); // the event socket is open
  const polls = topologyCalls;
  current = scaleTopology(base, 9);
  const added = current.containers.at(-1)!.name;
  const t0 = Date.now();
  fake.push('topology', current);
  await expect(containerNode(page, added)).toBeAttached(); // the latency is logged, not asserted
  console.log(`[e2e] pushed container on the map after ${Date.now() - t0} ms`);
  expect(topologyCalls).toBe(polls);
});

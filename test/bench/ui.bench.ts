// UI benchmark: page load -> graph interactive (a container node rendered and a click
// on it opens the panel) for 50 and 300 containers, then "find": typing the last
// container's name until its node is on screen (large maps no longer open fit-all,
// so the last container is not necessarily in the first view), and frame times
// while panning. Fake backend only. Screenshots of the default view go to
// test/artifacts/screenshots/bench-N.png.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Topology } from '../../shared/topology';
import { startFakeBackend } from './fake-backend';
import { scaleTopology, trimTopology } from './scale-topology';
import { syntheticRates } from './synthetic-rates';
import { launchChromium } from './chromium';
import { median } from './stats';

const RECORDED = 'test/fixtures/topology-recorded.json';
const RUNS = 3;
/** Another renderer build to compare against (e.g. an older commit's), default dist/renderer. */
const ROOT = path.resolve(process.env.VSU_BENCH_RENDERER ?? 'dist/renderer');

function record(): Topology {
  // Re-recording changes the pattern every clone is made of (whatever the shared daemon
  // runs right now), which makes runs incomparable: only on request.
  if (!process.env.VSU_BENCH_RECORD) return JSON.parse(readFileSync(RECORDED, 'utf8'));
  try {
    const out = execFileSync(process.execPath, ['bin/vethscope.cjs', 'topology', '--json'], { env: { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///tmp/vethscope-test/docker.sock' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    const t = JSON.parse(out) as Topology;
    if (t.containers.some((c) => c.netns !== null)) {
      writeFileSync(RECORDED, JSON.stringify(t, null, 2));
      console.log(`recorded ${t.containers.length} containers from the private daemon -> ${RECORDED}`);
      return t;
    }
  } catch (err) {
    console.log(`could not record (${(err as Error).message.split('\n')[0]}); using the committed ${RECORDED}`);
  }
  return JSON.parse(readFileSync(RECORDED, 'utf8'));
}


async function main() {
  if (!existsSync('dist/renderer/index.html')) execFileSync('npm', ['run', 'build:renderer'], { stdio: 'inherit' });
  const recorded = record();
  // Keep only a handful of base containers so 50/300 are clones of a real pattern.
  const base = trimTopology(recorded, 6);
  const browser = await launchChromium();
  const rows: Array<{ n: number; interactive: number; find: number; frameMean: number; frameP95: number; frameMax: number }> = [];
  mkdirSync('test/artifacts/screenshots', { recursive: true });
  for (const n of [50, 300]) {
    const topo = scaleTopology(base, n);
    writeFileSync(`test/fixtures/topology-${n}.json`, JSON.stringify(topo));
    const backend = await startFakeBackend({ root: ROOT, topology: () => topo, rates: () => syntheticRates(topo) });
    const interactive: number[] = [];
    const finds: number[] = [];
    const frames: number[][] = [];
    for (let r = 0; r < RUNS; r++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const target = topo.containers[topo.containers.length - 1]!.name;
      const t0 = Date.now();
      await page.goto(backend.url);
      await page.locator('.react-flow__node-netns').first().waitFor({ state: 'visible', timeout: 30_000 });
      // The first container node that is really on screen and not under an overlay (the minimap).
      const id = await page.evaluate(`(() => {
        for (const el of document.querySelectorAll('.react-flow__node-netns')) {
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.x + Math.min(r.width / 2, 40), r.y + Math.min(r.height / 2, 20));
          if (hit && el.contains(hit)) return el.getAttribute('data-id');
        }
        return null;
      })()`);
      await page.locator(`.react-flow__node[data-id="${id}"]`).click();
      await page.getByRole('complementary', { name: 'Selection details' }).waitFor({ timeout: 30_000 });
      interactive.push(Date.now() - t0);
      if (r === 0) {
        await page.keyboard.press('Escape');
        await page.waitForTimeout(300);
        await page.screenshot({ path: `test/artifacts/screenshots/bench-${n}.png` });
      }
      // Frame time while panning: rAF deltas during a scripted drag on the pane.
      // A string, not a function: tsx's keepNames helper (__name) does not exist in the page.
      await page.evaluate(`(() => {
        window.__frames = []; window.__stop = false;
        let last = performance.now();
        const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
      })()`);
      const pane = await page.locator('.react-flow__pane').boundingBox();
      const sx = pane!.x + pane!.width * 0.8;
      const sy = pane!.y + pane!.height * 0.2;
      await page.mouse.move(sx, sy);
      await page.mouse.down();
      for (let i = 1; i <= 60; i++) await page.mouse.move(sx - i * 10, sy + i * 6);
      await page.mouse.up();
      const f = (await page.evaluate('(() => { window.__stop = true; return window.__frames.slice(1); })()')) as number[];
      frames.push(f);
      // Find: from typing the name to the node on screen (after panning, so the pan measures the default view).
      const t1 = Date.now();
      await page.getByRole('searchbox', { name: 'Find container' }).fill(target);
      await page.locator('.react-flow__node').filter({ has: page.getByText(target, { exact: true }) }).first().waitFor({ state: 'visible', timeout: 30_000 });
      finds.push(Date.now() - t1);
      await page.getByRole('searchbox', { name: 'Find container' }).fill('');
      await page.close();
    }
    await backend.close();
    const all = frames.flat().sort((a, b) => a - b);
    rows.push({
      n,
      interactive: median(interactive),
      find: median(finds),
      frameMean: all.reduce((a, b) => a + b, 0) / all.length,
      frameP95: all[Math.floor(all.length * 0.95)]!,
      frameMax: all[all.length - 1]!,
    });
    console.log(`${n} containers: interactive runs ${interactive.join(', ')} ms; find runs ${finds.join(', ')} ms`);
  }
  await browser.close();
  const b = rows[0]!;
  console.log('\ncontainers | interactive ms (median of 3) | ratio | find ms | pan frame mean ms | p95 ms | max ms | ratio (mean)');
  console.log('-----------|------------------------------|-------|---------|-------------------|--------|--------|-------------');
  for (const r of rows) {
    console.log(
      `${String(r.n).padEnd(10)} | ${String(r.interactive).padEnd(28)} | ${(r.interactive / b.interactive).toFixed(2).padEnd(5)} | ${String(r.find).padEnd(7)} | ${r.frameMean.toFixed(1).padEnd(17)} | ${r.frameP95.toFixed(1).padEnd(6)} | ${r.frameMax.toFixed(1).padEnd(6)} | ${(r.frameMean / b.frameMean).toFixed(2)}`,
    );
  }
  const r300 = rows.find((r) => r.n === 300)!;
  console.log(`\ntarget: 300 containers interactive < 1500 ms: ${r300.interactive < 1500 ? 'MET' : 'NOT MET'} (${r300.interactive} ms)`);
}
void main();

// --follow across a restart slower than the helper's 1.5 s grace: the backend
// passes keepAliveSec, so the helper waits for the re-attach instead of ending
// the capture as target-gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, isRoot, removeSuiteContainers, runContainer, SKIP_REASON } from '../../support/env';
import { ipOf, makeHarness, ping, pingAsync, tsharkFrames, waitFor, type Harness } from './harness';

const SUITE = 'vsq-cap-follow';

describe.skipIf(!isRoot)(`capture: follow across a slow restart (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let h: Harness;
  beforeAll(() => {
    removeSuiteContainers(SUITE);
    // `sleep` as PID 1 ignores SIGTERM: `docker stop -t 3` takes the full 3 s, then SIGKILL.
    for (const n of ['vsq-cfs-slow', 'vsq-cfs-peer']) runContainer(SUITE, n);
    h = makeHarness('vsq-cap-follow');
  });
  afterAll(async () => {
    await h?.close();
    removeSuiteContainers(SUITE);
  });

  it('keeps the capture through a restart that takes > 2 s, then re-attaches', async () => {
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsq-cfs-slow' }], follow: true, output: { dir: h.dir } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    const id = started.result.id;
    ping('vsq-cfs-peer', ipOf('vsq-cfs-slow'), 5);
    const t0 = Date.now();
    docker('stop', '-t', '3', 'vsq-cfs-slow'); // SIGTERM ignored: SIGKILL after 3 s
    await new Promise((r) => setTimeout(r, 2500)); // down well past the helper's 1.5 s grace
    const listed = await h.services.backend.call('listCaptures', {});
    const mid = listed.ok ? listed.result.find((c) => c.id === id) : undefined;
    expect(mid?.state).toBe('running');
    expect(mid?.gaps[0]?.to).toBeNull();
    docker('start', 'vsq-cfs-slow');
    const info = await waitFor(
      're-attach after the slow restart',
      async () => {
        const r = await h.services.backend.call('listCaptures', {});
        const c = r.ok ? r.result.find((x) => x.id === id) : undefined;
        if (c && c.state !== 'running') throw new Error(`capture ended: ${JSON.stringify(c)}`);
        return c && c.interfaces.length === 2 && c.gaps[0]?.to ? c : null;
      },
      15_000,
    );
    const gapMs = Date.parse(info.gaps[0]!.to!) - Date.parse(info.gaps[0]!.from);
    console.log(`restart took ${Date.now() - t0} ms; gap recorded ${gapMs} ms`);
    expect(gapMs).toBeGreaterThan(2000);
    await pingAsync('vsq-cfs-peer', ipOf('vsq-cfs-slow'), 5);
    const stopped = await h.services.backend.call('stopCapture', { id });
    expect(stopped.ok && stopped.result).toMatchObject({ state: 'stopped', reason: 'user' });
    const icmp = tsharkFrames(stopped.ok ? stopped.result.files[0]! : '').filter((f) => f.proto === 'ICMP');
    const gapFrom = Date.parse(info.gaps[0]!.from) / 1000;
    const gapTo = Date.parse(info.gaps[0]!.to!) / 1000;
    expect(icmp.filter((f) => f.time < gapFrom).length).toBeGreaterThanOrEqual(5);
    expect(icmp.filter((f) => f.time > gapTo).length).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('without follow the same slow stop still ends as target-gone', async () => {
    const started = await h.services.backend.call('startCapture', { targets: [{ type: 'container', container: 'vsq-cfs-slow' }], output: { dir: h.dir } });
    expect(started.ok, JSON.stringify(started)).toBe(true);
    if (!started.ok) return;
    docker('stop', '-t', '3', 'vsq-cfs-slow');
    const ended = await waitFor(
      'target-gone',
      async () => {
        const r = await h.services.backend.call('listCaptures', {});
        const c = r.ok ? r.result.find((x) => x.id === started.result.id) : undefined;
        return c && c.state !== 'running' && c.state !== 'stopping' ? c : null;
      },
      15_000,
    );
    expect(ended).toMatchObject({ state: 'stopped', reason: 'target-gone' });
    docker('start', 'vsq-cfs-slow');
  }, 60_000);
});

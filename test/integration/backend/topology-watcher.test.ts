import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/backend/create-backend';
import type { Topology } from '../../../shared/topology';
import { docker, ip, ipTry, isRoot, removeSuiteContainers, runContainer, SKIP_REASON, testEnv } from '../../support/env';

const SUITE = 'vsw-watch';
const NETNS = 'vsw-ns1';

/** Resolve with the time of the first 'topology' event that satisfies `pred`. */
function nextTopology(services: Services, pred: (t: Topology) => boolean, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching topology event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = services.backend.on('topology', (t) => {
      if (!pred(t)) return;
      clearTimeout(timer);
      off();
      resolve(performance.now() - t0);
    });
  });
}

describe.skipIf(!isRoot)(`topology watcher: live updates without polling (${isRoot ? 'root' : SKIP_REASON})`, () => {
  let services: Services;
  let keepAlive: () => void;
  beforeAll(async () => {
    removeSuiteContainers(SUITE);
    ipTry('netns', 'del', NETNS);
    services = createServices({ env: testEnv() });
    // A listener is what starts the watcher; wait for its first scan.
    const first = nextTopology(services, () => true);
    keepAlive = services.backend.on('topology', () => undefined);
    await first;
  });
  afterAll(async () => {
    keepAlive?.();
    removeSuiteContainers(SUITE);
    ipTry('netns', 'del', NETNS);
    await services?.backend.close();
  });

  it('pushes a started container, then its removal, from Docker events', async () => {
    const appeared = nextTopology(services, (t) => t.containers.some((c) => c.name === 'vsw-a' && c.state === 'running' && c.interfaces.some((i) => i.hostPeer)));
    runContainer(SUITE, 'vsw-a');
    const tAppear = await appeared;
    const gone = nextTopology(services, (t) => !t.containers.some((c) => c.name === 'vsw-a'));
    docker('rm', '-f', 'vsw-a');
    const tGone = await gone;
    console.log(`topology event: container appeared ${tAppear.toFixed(0)} ms after docker run returned... removed ${tGone.toFixed(0)} ms after docker rm`);
    // The periodic rescan alone would take up to 3 s; Docker events make it faster.
    expect(tGone).toBeLessThan(2000);
  });

  it('finds a namespace Docker does not announce by the periodic rescan', async () => {
    const seen = nextTopology(services, (t) => t.namespaces.some((n) => n.names.includes(NETNS)), 8000);
    ip('netns', 'add', NETNS);
    expect(await seen).toBeLessThan(8000);
  });

  it('does not push when nothing changed', async () => {
    let pushes = 0;
    const off = services.backend.on('topology', () => pushes++);
    await services.topology.discover();
    await services.topology.discover();
    off();
    expect(pushes).toBe(0);
  });

  it('runs only while someone listens to topology events', async () => {
    const watcher = services.watcher;
    expect(watcher.isRunning).toBe(true);
    keepAlive();
    keepAlive = () => undefined;
    expect(services.backend.listenerCount('topology')).toBe(0);
    expect(watcher.isRunning).toBe(false);
    const off = services.backend.on('topology', () => undefined);
    expect(watcher.isRunning).toBe(true);
    off();
    expect(watcher.isRunning).toBe(false);
  });
});

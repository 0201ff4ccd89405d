import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend } from '../../../electron/backend/backend';
import { createServices, type Services } from '../../../electron/backend/create-backend';
import { localScanner, TopologyService } from '../../../electron/backend/topology/topology-service';
import { TopologyWatcher } from '../../../electron/backend/topology/topology-watcher';
import type { Topology } from '../../../shared/topology';
import { docker, ip, ipTry, isRoot, nsInode, removeSuiteContainers, runContainer, SKIP_REASON, testEnv } from '../../support/env';

const SUITE = 'vsw-watch';
const NETNS = 'vsw-ns1';

/**
 * The first 'topology' event that satisfies `pred`, and how long it took (printed, never
 * asserted: no timing thresholds). Rejects after `timeoutMs`: a push that never comes.
 */
function nextTopology(backend: Backend, pred: (t: Topology) => boolean, timeoutMs = 10_000): Promise<{ topology: Topology; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching topology event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = backend.on('topology', (topology) => {
      if (!pred(topology)) return;
      clearTimeout(timer);
      off();
      resolve({ topology, ms: performance.now() - t0 });
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
    const first = nextTopology(services.backend, () => true);
    keepAlive = services.backend.on('topology', () => undefined);
    await first;
  });
  afterAll(async () => {
    keepAlive?.();
    removeSuiteContainers(SUITE);
    ipTry('netns', 'del', NETNS);
    await services?.backend.close();
  });

  it('pushes a started container, then its removal, from Docker events alone (no periodic rescan)', async () => {
    // A watcher of its own whose periodic rescan never comes during the test: only Docker's
    // event stream can bring these pushes.
    const backend = new Backend();
    const topology = new TopologyService(localScanner, testEnv());
    topology.register(backend);
    const watcher = new TopologyWatcher(topology, { rescanMs: 3_600_000 });
    watcher.register(backend);
    const first = nextTopology(backend, () => true);
    const keep = backend.on('topology', () => undefined);
    try {
      await first;
      const appeared = nextTopology(backend, (t) => t.containers.some((c) => c.name === 'vsw-a' && c.state === 'running' && c.interfaces.some((i) => i.hostPeer)));
      runContainer(SUITE, 'vsw-a');
      const { ms: tAppear } = await appeared;
      const gone = nextTopology(backend, (t) => !t.containers.some((c) => c.name === 'vsw-a'));
      docker('rm', '-f', 'vsw-a');
      const { ms: tGone } = await gone;
      console.log(`topology event: container appeared ${tAppear.toFixed(0)} ms after docker run returned, removed ${tGone.toFixed(0)} ms after docker rm`);
      expect(watcher.eventsSeen).toBeGreaterThan(0);
    } finally {
      keep();
      await backend.close();
    }
    expect(watcher.isRunning).toBe(false);
  });

  it('finds a namespace Docker does not announce by the periodic rescan', async () => {
    const seen = nextTopology(services.backend, (t) => t.namespaces.some((n) => n.names.includes(NETNS)), 8000);
    ip('netns', 'add', NETNS);
    const { topology, ms } = await seen;
    console.log(`topology event: ip netns add seen after ${ms.toFixed(0)} ms`);
    const found = topology.namespaces.find((n) => n.names.includes(NETNS))!;
    expect(found.inode).toBe(nsInode(`/run/netns/${NETNS}`));
    expect(found.isHost).toBe(false);
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

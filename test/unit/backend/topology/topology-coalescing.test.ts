import { describe, expect, it } from 'vitest';
import { Backend } from '../../../../electron/backend/backend';
import { TopologyService, topologyFingerprint, type NamespaceScanner } from '../../../../electron/backend/topology/topology-service';
import type { Topology } from '../../../../shared/topology';
import type { NamespaceScan } from '../../../../electron/kernel/namespaces';

// A fake scanner that counts scans and lets the test decide when each one finishes.
function gatedScanner() {
  let scans = 0;
  const gates: Array<() => void> = [];
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  const scanner: NamespaceScanner = {
    mode: () => 'root',
    scanNamespaces: () =>
      new Promise<NamespaceScan>((resolve) => {
        scans++;
        gates.push(() => resolve({ hostInode: 1, namespaces: [{ inode: 1, isHost: true, pids: [1], paths: [], netnsNames: [], links: [], error: null }], privileged: true, warnings: [] }));
        for (const w of waiting.filter((x) => x.n <= scans)) (waiting.splice(waiting.indexOf(w), 1), w.resolve());
      }),
  };
  /** Resolves once the n-th scan has started: waits on the event, not on the clock. */
  const started = (n: number) => new Promise<void>((resolve) => (scans >= n ? resolve() : waiting.push({ n, resolve })));
  return { scanner, scans: () => scans, started, release: () => gates.shift()?.() };
}

const noDocker = { DOCKER_HOST: 'unix:///nonexistent/vethscope-test.sock' };
/** One turn of the event loop, so anything already due (a wrongly started scan) has run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('TopologyService.discover', () => {
  it('shares scans between concurrent callers: one running, at most one queued', async () => {
    const g = gatedScanner();
    const svc = new TopologyService(g.scanner, noDocker);
    const first = svc.discover();
    const later = [svc.discover(), svc.discover(), svc.discover()];
    await g.started(1);
    await settle();
    expect(g.scans()).toBe(1);
    g.release();
    await first;
    await g.started(2);
    await settle();
    expect(g.scans()).toBe(2); // the queued one, started after the first finished
    g.release();
    const results = await Promise.all(later);
    expect(new Set(results).size).toBe(1);
    expect(g.scans()).toBe(2);
  });

  it("emits 'topology' only when the structure changed, and tells onChange listeners", async () => {
    const g = gatedScanner();
    const svc = new TopologyService(g.scanner, noDocker);
    const backend = new Backend();
    svc.register(backend);
    let pushed = 0;
    let changed = 0;
    backend.on('topology', () => pushed++);
    svc.onChange(() => changed++);
    for (let i = 0; i < 3; i++) {
      const p = svc.discover();
      await g.started(i + 1);
      g.release();
      await p;
    }
    expect(pushed).toBe(1);
    expect(changed).toBe(1);
  });
});

describe('topologyFingerprint', () => {
  const base = (): Topology => ({
    generatedAt: '2026-11-26T00:00:00Z',
    hostNetns: 1,
    containers: [{ id: 'c1', name: 'web', image: 'img', engine: 'docker', pod: null, infra: false, user: null, state: 'running', pid: 100, netns: 2, hostNetwork: false, networkMode: 'bridge', networks: [], compose: null, interfaces: [] }],
    namespaces: [{ inode: 2, names: ['web'], isHost: false, pids: [100], paths: [], interfaces: [] }],
    docker: { available: true },
    privileged: { available: true, mode: 'root' },
    engines: [],
    warnings: [],
    elapsedMs: 1,
  });

  it('ignores timings, warnings and processes that come and go inside a namespace', () => {
    const other = base();
    other.generatedAt = '2026-11-26T00:00:05Z';
    other.elapsedMs = 99;
    other.warnings = ['something'];
    other.namespaces[0]!.pids = [100, 4242]; // a docker exec, an nsenter'd tool
    expect(topologyFingerprint(other)).toBe(topologyFingerprint(base()));
  });

  it('changes with the wiring and with a container restart', () => {
    const restarted = base();
    restarted.containers[0]!.pid = 200;
    expect(topologyFingerprint(restarted)).not.toBe(topologyFingerprint(base()));
    const renamed = base();
    renamed.namespaces[0]!.names = ['web', 'sidecar'];
    expect(topologyFingerprint(renamed)).not.toBe(topologyFingerprint(base()));
  });
});

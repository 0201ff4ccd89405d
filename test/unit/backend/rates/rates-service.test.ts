import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backend } from '../../../../electron/backend/backend';
import { RatesService } from '../../../../electron/backend/rates/rates-service';
import type { CounterSource } from '../../../../electron/backend/rates/sources';
import type { Topology } from '../../../../shared/topology';

const topo = { generatedAt: '', hostNetns: 1, containers: [], namespaces: [{ inode: 1, names: [], isHost: true, pids: [], paths: [], interfaces: [] }], docker: { available: true }, privileged: { available: false, mode: 'none' }, engines: [], warnings: [], elapsedMs: 0 } as Topology;
const counting = (): CounterSource & { reads: number } => {
  const src = {
    reads: 0,
    readHost() {
      src.reads++;
      const n = src.reads * 1000;
      return { at: performance.now() / 1000, counters: new Map([['eth0', { rxBytes: n, rxPackets: 1, rxErrors: 0, rxDropped: 0, txBytes: n, txPackets: 1, txErrors: 0, txDropped: 0 }]]), ifindex: new Map([['eth0', 2]]) };
    },
    async readNamespaces() {
      return [];
    },
  };
  return src;
};

// The service's timers, Date.now() (idle) and performance.now() (the source's reading time)
// all run on the fake clock: each step below is exact, and the test takes no real time.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());
const elapse = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('RatesService', () => {
  it('samples only while someone listens or called recently, and stops on close', async () => {
    const backend = new Backend();
    const src = counting();
    const svc = new RatesService({ latest: () => topo, discover: async () => topo, onChange: () => () => undefined }, { intervalSec: 0.1, idleMs: 150, source: src });
    svc.register(backend);
    await elapse(250);
    expect(src.reads).toBe(0); // nobody asked: nothing read
    expect(vi.getTimerCount()).toBe(0); // and no timer held
    const got: number[] = [];
    const off = backend.on('rates', (s) => got.push(s.interfaces.length));
    await elapse(450);
    expect(svc.isRunning()).toBe(true);
    expect(got.length).toBeGreaterThanOrEqual(2);
    expect((await backend.call('getRates', {})).ok).toBe(true);
    const hist = await backend.call('getRateHistory', { netns: 1, name: 'eth0', seconds: 60 });
    expect(hist.ok && hist.result.length).toBeGreaterThanOrEqual(2);
    off();
    await elapse(500); // past idleMs since the last call
    expect(svc.isRunning()).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    const reads = src.reads;
    await elapse(300);
    expect(src.reads).toBe(reads);
    await backend.call('getRates', {}); // a call wakes it up again
    expect(svc.isRunning()).toBe(true);
    await backend.close();
    expect(svc.isRunning()).toBe(false);
  });
});

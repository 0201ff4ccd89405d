import { describe, expect, it } from 'vitest';
import type { Topology } from '../../../../shared/topology';
import type { Counters } from '../../../../electron/kernel/proc-net-dev';
import { buildPlan, type NamespaceRead } from '../../../../electron/backend/rates/plan';
import { Sampler } from '../../../../electron/backend/rates/sampler';
import type { CounterSource, HostReading, NsReading } from '../../../../electron/backend/rates/sources';

const c = (rx: number, tx: number): Counters => ({ rxBytes: rx, rxPackets: rx / 100, rxErrors: 0, rxDropped: 0, txBytes: tx, txPackets: tx / 100, txErrors: 0, txDropped: 0 });
const iface = (name: string, ifindex: number, extra: Record<string, unknown> = {}) => ({
  name, ifindex, kind: 'veth' as const, mac: null, mtu: 1500, state: 'UP', addresses: [], master: null, hostPeer: null, peer: null, parent: null, ...extra,
});

/** Host 1; web (ns 100) has eth0 whose host peer is vethA; mac (ns 200, pid 42) has a macvlan with no host side. */
function topo(): Topology {
  const webIfs = [iface('lo', 1, { kind: 'loopback' }), iface('eth0', 2, { hostPeer: 'vethA', peer: { netns: 1, name: 'vethA' } })];
  const macIfs = [iface('lo', 1, { kind: 'loopback' }), iface('mv0', 3, { kind: 'macvlan', parent: { netns: 1, name: 'eth0' } })];
  const ctr = (id: string, name: string, netns: number, interfaces: unknown[]) => ({ id, name, image: 'x', engine: 'docker' as const, pod: null, infra: false, user: null, state: 'running', pid: 1, netns, hostNetwork: netns === 1, networkMode: 'bridge', networks: [], compose: null, interfaces });
  return {
    generatedAt: '', hostNetns: 1, warnings: [], elapsedMs: 0,
    docker: { available: true }, privileged: { available: true, mode: 'root' }, engines: [],
    containers: [ctr('w', 'web', 100, webIfs), ctr('m', 'mac', 200, macIfs), ctr('h', 'hostnet', 1, [])] as Topology['containers'],
    namespaces: [
      { inode: 1, names: [], isHost: true, pids: [1], paths: [], interfaces: [iface('eth0', 2, { kind: 'physical' }), iface('vethA', 10)] },
      { inode: 100, names: ['web'], isHost: false, pids: [41], paths: [], interfaces: webIfs },
      { inode: 200, names: ['mac'], isHost: false, pids: [42], paths: [], interfaces: macIfs },
    ] as Topology['namespaces'],
  };
}

class FakeSource implements CounterSource {
  host = new Map<string, Counters>();
  ifindex = new Map<string, number | null>();
  ns = new Map<number, Map<string, Counters>>();
  at = 0;
  reads: NamespaceRead[][] = [];
  readHost(): HostReading {
    return { at: this.at, counters: new Map(this.host), ifindex: this.ifindex };
  }
  async readNamespaces(reads: readonly NamespaceRead[]): Promise<NsReading[]> {
    this.reads.push([...reads]);
    return reads.map((r) => ({ inode: r.inode, at: this.at, counters: this.ns.get(r.inode) ?? null, error: null, stale: false }));
  }
}

describe('buildPlan', () => {
  it('mirrors host veths, reads only namespaces without a host side, skips lo and host-network containers', () => {
    const p = buildPlan(topo());
    expect(p.hostMirrors.get('vethA')).toEqual([{ netns: 100, name: 'eth0' }]);
    expect(p.nsReads.map((r) => [r.inode, r.pid, [...r.names.keys()]])).toEqual([[200, 42, ['mv0']]]);
    expect(p.containers.map((x) => x.name)).toEqual(['web', 'mac']);
  });
});

describe('Sampler', () => {
  it('gives a container the swapped rates of its host veth and in-namespace rates for a macvlan', async () => {
    const src = new FakeSource();
    let wall = 1000;
    const s = new Sampler(src, { intervalSec: 1, wallClock: () => wall });
    s.setPlan(buildPlan(topo()));
    src.host.set('vethA', c(0, 0)).set('eth0', c(0, 0));
    src.ifindex.set('vethA', 10).set('eth0', 2);
    src.ns.set(200, new Map([['mv0', c(0, 0)], ['lo', c(0, 0)]]));
    expect((await s.tick()).sample.containers.every((x) => x.rxBytesPerSec === 0)).toBe(true);
    src.at = 2;
    wall = 1002;
    // Host veth sent 4000 (the container received it), received 1000 (the container sent it).
    src.host.set('vethA', c(1000, 4000));
    src.ns.set(200, new Map([['mv0', c(600, 200)], ['lo', c(1e9, 1e9)]]));
    const { sample, stale } = await s.tick();
    expect(stale).toBe(false);
    const web = sample.containers.find((x) => x.name === 'web')!;
    expect(web).toMatchObject({ rxBytesPerSec: 2000, txBytesPerSec: 500 });
    expect(sample.containers.find((x) => x.name === 'mac')).toMatchObject({ rxBytesPerSec: 300, txBytesPerSec: 100 });
    expect(sample.interfaces.find((i) => i.netns === 100 && i.name === 'eth0')).toMatchObject({ rxBytesPerSec: 2000, txBytesPerSec: 500 });
    expect(sample.interfaces.some((i) => i.name === 'lo' && i.netns === 200)).toBe(false);
    expect(s.history(100, 'eth0', 60)).toEqual([{ time: 1002, rxBytesPerSec: 2000, txBytesPerSec: 500 }]);
    expect(s.containerSparkline('w')).toHaveLength(2);
  });

  it('flags the mapping stale when a veth appears or a mirrored one disappears, and never reports a negative rate', async () => {
    const src = new FakeSource();
    const s = new Sampler(src, { intervalSec: 1 });
    s.setPlan(buildPlan(topo()));
    src.host.set('vethA', c(5e6, 5e6));
    src.ifindex.set('vethA', 10);
    await s.tick();
    // Container restarted: vethA gone, a new veth with small counters appears.
    src.at = 1;
    src.host.delete('vethA');
    src.host.set('vethB', c(10, 10));
    const r = await s.tick();
    expect(r.stale).toBe(true);
    expect(r.sample.containers.find((x) => x.name === 'web')!.rxBytesPerSec).toBe(0);
    // Same name again but recreated (new ifindex, smaller counters): no negative value.
    src.at = 2;
    src.host.set('vethA', c(1, 1));
    src.ifindex.set('vethA', 11);
    const r2 = await s.tick();
    for (const i of r2.sample.interfaces) expect(i.rxBytesPerSec).toBeGreaterThanOrEqual(0);
  });
});

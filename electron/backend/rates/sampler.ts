// One tick: read every source, turn counters into rates, attribute them to
// containers, and record history. Knows nothing of timers or subscribers.
import type { ContainerRate, InterfaceRate, RatesSample } from '../../../shared/rates';
import { swapDirection } from '../../kernel/proc-net-dev';
import { ifaceKey, type SamplingPlan } from './plan';
import { RateRing, type HistoryPoint } from './ring';
import { RateTracker, type Rates } from './rate-tracker';
import type { CounterSource } from './sources';

export interface SamplerOptions {
  intervalSec: number;
  historySec?: number;
  containerHistorySec?: number;
  /** Wall clock in seconds (injectable for tests). */
  wallClock?: () => number;
}

export interface TickResult {
  sample: RatesSample;
  /** The plan no longer matches the kernel: rediscover the topology. */
  stale: boolean;
  errors: string[];
}

const swapRates = (r: Rates): Rates => {
  const c = swapDirection({
    rxBytes: r.rxBytesPerSec, rxPackets: r.rxPacketsPerSec, rxErrors: r.rxErrors, rxDropped: r.rxDropped,
    txBytes: r.txBytesPerSec, txPackets: r.txPacketsPerSec, txErrors: r.txErrors, txDropped: r.txDropped,
  });
  return {
    rxBytesPerSec: c.rxBytes, rxPacketsPerSec: c.rxPackets, rxErrors: c.rxErrors, rxDropped: c.rxDropped,
    txBytesPerSec: c.txBytes, txPacketsPerSec: c.txPackets, txErrors: c.txErrors, txDropped: c.txDropped,
  };
};

export class Sampler {
  readonly tracker = new RateTracker();
  private plan: SamplingPlan | null = null;
  private readonly ifaceHistory = new Map<string, RateRing>();
  private readonly containerHistory = new Map<string, RateRing>();
  private lastHostNames: Set<string> | null = null;
  private readonly wallClock: () => number;

  constructor(
    private readonly source: CounterSource,
    private readonly opts: SamplerOptions,
  ) {
    this.wallClock = opts.wallClock ?? (() => Date.now() / 1000);
  }

  setPlan(plan: SamplingPlan): void {
    this.plan = plan;
  }

  setIntervalSec(sec: number): void {
    this.opts.intervalSec = sec;
  }

  hasPlan(): boolean {
    return this.plan !== null;
  }

  async tick(): Promise<TickResult> {
    const plan = this.plan;
    if (!plan) throw new Error('sampler has no plan yet');
    const errors: string[] = [];
    let stale = false;
    const interfaces: InterfaceRate[] = [];
    const byKey = new Map<string, Rates>();
    const add = (netns: number, name: string, r: Rates) => {
      byKey.set(ifaceKey(netns, name), r);
      interfaces.push({ netns, name, ...r });
    };

    const host = this.source.readHost();
    for (const [name, counters] of host.counters) {
      const r = this.tracker.update(ifaceKey(plan.hostNetns, name), host.ifindex.get(name) ?? null, counters, host.at);
      if (!r) continue;
      add(plan.hostNetns, name, r);
      for (const m of plan.hostMirrors.get(name) ?? []) add(m.netns, m.name, swapRates(r));
    }
    // A veth came or went (container started, stopped, restarted): the mapping is out of date.
    const names = new Set(host.counters.keys());
    if (this.lastHostNames && (names.size !== this.lastHostNames.size || [...names].some((n) => !this.lastHostNames!.has(n)))) stale = true;
    this.lastHostNames = names;
    for (const hostName of plan.hostMirrors.keys()) if (!host.counters.has(hostName)) stale = true;

    if (plan.nsReads.length) {
      for (const nr of await this.source.readNamespaces(plan.nsReads)) {
        if (nr.stale) stale = true;
        if (!nr.counters) {
          if (nr.error) errors.push(`namespace ${nr.inode}: ${nr.error}`);
          continue;
        }
        const wanted = plan.nsReads.find((x) => x.inode === nr.inode);
        for (const [name, counters] of nr.counters) {
          if (!wanted?.names.has(name)) continue;
          const r = this.tracker.update(ifaceKey(nr.inode, name), wanted.names.get(name) ?? null, counters, nr.at);
          if (r) add(nr.inode, name, r);
        }
      }
    }
    this.tracker.sweep();

    const time = this.wallClock();
    const containers: ContainerRate[] = plan.containers.map((c) => {
      const sum = { rxBytesPerSec: 0, txBytesPerSec: 0, rxPacketsPerSec: 0, txPacketsPerSec: 0 };
      for (const m of c.members) {
        const r = byKey.get(ifaceKey(m.netns, m.name));
        if (!r) continue; // first reading or restarted baseline: contributes nothing, never a spike
        sum.rxBytesPerSec += r.rxBytesPerSec;
        sum.txBytesPerSec += r.txBytesPerSec;
        sum.rxPacketsPerSec += r.rxPacketsPerSec;
        sum.txPacketsPerSec += r.txPacketsPerSec;
      }
      return { id: c.id, name: c.name, ...sum };
    });
    this.record(time, interfaces, containers);
    return { sample: { time, intervalSec: this.opts.intervalSec, interfaces, containers }, stale, errors };
  }

  private record(time: number, interfaces: InterfaceRate[], containers: ContainerRate[]): void {
    const ifaceCap = Math.ceil((this.opts.historySec ?? 300) / this.opts.intervalSec) + 1;
    const contCap = Math.ceil((this.opts.containerHistorySec ?? 60) / this.opts.intervalSec) + 1;
    for (const i of interfaces) ring(this.ifaceHistory, ifaceKey(i.netns, i.name), ifaceCap).push(time, i.rxBytesPerSec, i.txBytesPerSec);
    for (const c of containers) ring(this.containerHistory, c.id, contCap).push(time, c.rxBytesPerSec, c.txBytesPerSec);
    // Forget interfaces and containers whose whole history has aged out.
    const oldest = time - (this.opts.historySec ?? 300);
    for (const [k, r] of this.ifaceHistory) if ((r.latestTime() ?? 0) < oldest) this.ifaceHistory.delete(k);
    const oldestC = time - (this.opts.containerHistorySec ?? 60);
    for (const [k, r] of this.containerHistory) if ((r.latestTime() ?? 0) < oldestC) this.containerHistory.delete(k);
  }

  history(netns: number, name: string, seconds: number): HistoryPoint[] {
    return this.ifaceHistory.get(ifaceKey(netns, name))?.since(this.wallClock() - seconds) ?? [];
  }

  containerSparkline(id: string, seconds = 60): HistoryPoint[] {
    return this.containerHistory.get(id)?.since(this.wallClock() - seconds) ?? [];
  }
}

function ring(map: Map<string, RateRing>, key: string, cap: number): RateRing {
  let r = map.get(key);
  if (!r) {
    r = new RateRing(cap);
    map.set(key, r);
  }
  return r;
}

// Rates of a remote host from the counters of two discoveries (the same round trips):
// per interface, and per container as the container sees it (rx = what it received).
import type { RatesSample, InterfaceRate, ContainerRate } from '../../../shared/rates';
import type { Topology } from '../../../shared/topology';
import type { Counters } from '../../kernel/proc-net-dev';

type ByNs = Map<number, Map<string, Counters>>;

const per = (a: number, b: number, sec: number) => (sec > 0 && b >= a ? (b - a) / sec : 0);

export function remoteRates(topo: Topology, before: ByNs, after: ByNs, sec: number, nowMs: number): RatesSample {
  const interfaces: InterfaceRate[] = [];
  for (const [netns, links] of after) {
    for (const [name, c] of links) {
      const p = before.get(netns)?.get(name);
      if (!p) continue;
      interfaces.push({
        netns,
        name,
        rxBytesPerSec: per(p.rxBytes, c.rxBytes, sec),
        txBytesPerSec: per(p.txBytes, c.txBytes, sec),
        rxPacketsPerSec: per(p.rxPackets, c.rxPackets, sec),
        txPacketsPerSec: per(p.txPackets, c.txPackets, sec),
        rxErrors: c.rxErrors,
        txErrors: c.txErrors,
        rxDropped: c.rxDropped,
        txDropped: c.txDropped,
      });
    }
  }
  const byKey = new Map(interfaces.map((i) => [`${i.netns}/${i.name}`, i]));
  const containers: ContainerRate[] = [];
  for (const c of topo.containers) {
    if (c.netns === null || c.hostNetwork) continue;
    const mine = c.interfaces.filter((i) => i.kind !== 'loopback').map((i) => byKey.get(`${c.netns}/${i.name}`)).filter((x): x is InterfaceRate => !!x);
    if (!mine.length) continue;
    const sum = (k: keyof InterfaceRate) => mine.reduce((a, i) => a + (i[k] as number), 0);
    containers.push({ id: c.id, name: c.name, rxBytesPerSec: sum('rxBytesPerSec'), txBytesPerSec: sum('txBytesPerSec'), rxPacketsPerSec: sum('rxPacketsPerSec'), txPacketsPerSec: sum('txPacketsPerSec') });
  }
  return { time: nowMs / 1000, intervalSec: sec, interfaces, containers };
}

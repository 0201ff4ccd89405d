// Plausible changing rates for every veth of a topology (bench and screenshots only).
import type { Topology } from '../../shared/topology';
import type { RatesSample } from '../../shared/rates';

export function syntheticRates(t: Topology, now = Date.now() / 1000): RatesSample {
  const interfaces: RatesSample['interfaces'] = [];
  const containers: RatesSample['containers'] = [];
  t.containers.forEach((c, idx) => {
    if (c.netns === null) return;
    // A few containers are busy, most are quiet: that is what a real host looks like.
    const base = idx % 7 === 0 ? 5e6 : idx % 3 === 0 ? 2e4 : 300;
    const wobble = 0.6 + 0.4 * Math.sin(now / 3 + idx);
    const rx = base * wobble;
    const tx = base * 0.4 * wobble;
    for (const i of c.interfaces) {
      if (i.kind === 'loopback') continue;
      const r = { rxBytesPerSec: rx, txBytesPerSec: tx, rxPacketsPerSec: rx / 800, txPacketsPerSec: tx / 800, rxErrors: 0, txErrors: 0, rxDropped: 0, txDropped: 0 };
      interfaces.push({ netns: c.netns, name: i.name, ...r });
      if (i.peer) interfaces.push({ netns: i.peer.netns, name: i.peer.name, ...r, rxBytesPerSec: tx, txBytesPerSec: rx });
    }
    containers.push({ id: c.id, name: c.name, rxBytesPerSec: rx, txBytesPerSec: tx, rxPacketsPerSec: rx / 800, txPacketsPerSec: tx / 800 });
  });
  return { time: Math.floor(now * 10) / 10, intervalSec: 1, interfaces, containers };
}

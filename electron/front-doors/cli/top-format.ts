// Text for `vethscope top`: human units and the per-container table.
import type { ContainerRate, RatesSample } from '../../../shared/rates';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function humanBytes(perSec: number): string {
  let v = Math.max(0, perSec);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[u]}/s`;
}

export const totalRate = (c: ContainerRate) => c.rxBytesPerSec + c.txBytesPerSec;

/** Busiest first; ties by name so the order is stable between redraws. */
export function sortContainers(cs: readonly ContainerRate[]): ContainerRate[] {
  return [...cs].sort((a, b) => totalRate(b) - totalRate(a) || a.name.localeCompare(b.name));
}

export function renderTable(sample: RatesSample, maxRows = Infinity): string {
  const rows = sortContainers(sample.containers).slice(0, maxRows);
  const nameW = Math.max(4, ...rows.map((r) => r.name.length));
  const head = `${'NAME'.padEnd(nameW)}  ${'RX/s'.padStart(11)}  ${'TX/s'.padStart(11)}  ${'PKTS/s'.padStart(9)}`;
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(nameW)}  ${humanBytes(r.rxBytesPerSec).padStart(11)}  ${humanBytes(r.txBytesPerSec).padStart(11)}  ${(r.rxPacketsPerSec + r.txPacketsPerSec).toFixed(0).padStart(9)}`,
  );
  const when = new Date(sample.time * 1000).toISOString().replace('T', ' ').slice(0, 19);
  return [`vethscope top - ${when} - every ${sample.intervalSec}s - ${sample.containers.length} containers`, head, ...(lines.length ? lines : ['(no running containers)'])].join('\n');
}

export function jsonLine(sample: RatesSample): string {
  return JSON.stringify({
    time: sample.time,
    containers: sortContainers(sample.containers).map((c) => ({
      name: c.name,
      id: c.id,
      rxBytesPerSec: c.rxBytesPerSec,
      txBytesPerSec: c.txBytesPerSec,
      rxPacketsPerSec: c.rxPacketsPerSec,
      txPacketsPerSec: c.txPacketsPerSec,
    })),
  });
}

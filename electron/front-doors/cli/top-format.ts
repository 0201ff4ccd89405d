// Text for `vethscope top`: the per-container table, in the UI's units (shared/units.ts).
import type { ContainerRate, RatesSample } from '../../../shared/rates';
import { formatBitRate, formatCount } from '../../../shared/units';
import { byText } from '../../../shared/text';

export const totalRate = (c: ContainerRate) => c.rxBytesPerSec + c.txBytesPerSec;

/** Busiest first; ties by name so the order is stable between redraws. */
export function sortContainers(cs: readonly ContainerRate[]): ContainerRate[] {
  return [...cs].sort((a, b) => totalRate(b) - totalRate(a) || byText(a.name, b.name));
}

export function renderTable(sample: RatesSample, maxRows = Infinity): string {
  const rows = sortContainers(sample.containers).slice(0, maxRows);
  const nameW = Math.max(4, ...rows.map((r) => r.name.length));
  const head = `${'NAME'.padEnd(nameW)}  ${'RX'.padStart(11)}  ${'TX'.padStart(11)}  ${'PKTS/s'.padStart(9)}`;
  const lines = rows.map(
    (r) =>
      `${r.name.padEnd(nameW)}  ${formatBitRate(r.rxBytesPerSec).padStart(11)}  ${formatBitRate(r.txBytesPerSec).padStart(11)}  ${formatCount(r.rxPacketsPerSec + r.txPacketsPerSec).padStart(9)}`,
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

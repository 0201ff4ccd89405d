// Small formatting helpers shared by the graph, the panel and the capture lists.
import type { Container, NetInterface } from '../../../shared/topology';

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** Bytes per second as bits per second, the unit people read link speeds in. */
export function formatRate(bytesPerSec: number): string {
  const bits = bytesPerSec * 8;
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let v = bits;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export const formatTime = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString() : '—');

export function formatDuration(fromIso: string, toIso: string | null, now = Date.now()): string {
  const ms = (toIso ? Date.parse(toIso) : now) - Date.parse(fromIso);
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

const safeFile = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/**
 * The command a person would type to capture this interface without vethscope:
 * on the host-side veth when there is one (no namespace entering needed), else inside the namespace.
 */
export function tcpdumpCommand(c: Pick<Container, 'name' | 'pid'> | null, iface: NetInterface, nsPath?: string): string {
  const file = `${safeFile(c?.name ?? 'capture')}-${safeFile(iface.name)}.pcap`;
  if (iface.hostPeer) return `tcpdump -i ${iface.hostPeer} -w ${file}`;
  const where = c?.pid ? `/proc/${c.pid}/ns/net` : nsPath;
  if (!where) return `tcpdump -i ${iface.name} -w ${file}`;
  return `nsenter --net=${where} tcpdump -i ${iface.name} -w ${file}`;
}

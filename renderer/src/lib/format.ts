// Text helpers for the graph, the panel and the capture lists. Numbers go through
// shared/units.ts, the one formatter the CLI uses too.
import type { Container, NetInterface } from '../../../shared/topology';
import { formatDuration as formatSeconds } from '../../../shared/units';

// SavedCaptures.tsx imports formatBytes from here.
export { formatBytes } from '../../../shared/units';

export const formatTime = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString() : '—');

/** How long from `fromIso` until `toIso` (or now, while it runs): "4 s", "2 min 5 s". */
export function formatElapsed(fromIso: string, toIso: string | null, now = Date.now()): string {
  const ms = (toIso ? Date.parse(toIso) : now) - Date.parse(fromIso);
  return formatSeconds(ms / 1000);
}

/** SavedCaptures.tsx's name for formatElapsed (that file has another owner). */
export { formatElapsed as formatDuration };

const safeFile = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_');

/**
 * The command a person would type to capture this interface without vethscope:
 * on the host-side veth when there is one (no namespace entering needed), else inside the namespace.
 */
/** A word a shell reads back as exactly `s`: plain when safe, else $'...' with control characters as \xHH. */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_.@+:/=-]+$/.test(s)) return s;
  return `$'${s.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

export function tcpdumpCommand(c: Pick<Container, 'name' | 'pid'> | null, iface: NetInterface, nsPath?: string): string {
  const file = `${safeFile(c?.name ?? 'capture')}-${safeFile(iface.name)}.pcap`;
  if (iface.hostPeer) return `tcpdump -i ${shellWord(iface.hostPeer)} -w ${file}`;
  const where = c?.pid ? `/proc/${c.pid}/ns/net` : nsPath;
  if (!where) return `tcpdump -i ${shellWord(iface.name)} -w ${file}`;
  return `nsenter --net=${shellWord(where)} tcpdump -i ${shellWord(iface.name)} -w ${file}`;
}

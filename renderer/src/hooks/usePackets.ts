// The decoded packets of one capture: getPackets, then 'packets' events for it, and
// polls while it is live (the backend may not push packets to this front door). A
// finished capture's packets come from its file (the first SAVED_PACKET_ROWS).
import type { PacketSummary } from '../../../shared/capture';
import { getApi } from '../api';
import { useLiveData } from './useLiveData';

/** Keep the DOM small: the full capture is in the file, this is a live glance. */
export const MAX_PACKET_ROWS = 500;
/** What getPackets returns of a finished capture at most (the backend's CaptureLibrary limit). */
export const SAVED_PACKET_ROWS = 1000;
export const PACKETS_POLL_MS = 1500;

/** `old` plus the packets of `more` it has not seen (numbers above its last), the newest MAX_PACKET_ROWS. */
export function mergePackets(old: PacketSummary[], more: PacketSummary[]): PacketSummary[] {
  const last = old.length ? old[old.length - 1]!.no : 0;
  const fresh = more.filter((p) => p.no > last);
  if (!fresh.length) return old;
  const next = old.concat(fresh);
  return next.length > MAX_PACKET_ROWS ? next.slice(next.length - MAX_PACKET_ROWS) : next;
}

/**
 * Packet 1's time per capture, once seen: times are shown relative to it (Wireshark's
 * default), so they do not restart at 0 when the list's window moves on.
 */
const firstTimes = new Map<string, number>();

export function rememberFirst(id: string, packets: PacketSummary[]): void {
  if (packets[0]?.no === 1 && !firstTimes.has(id)) firstTimes.set(id, packets[0].time);
}

/** The time every packet of capture `id` is shown relative to: its packet 1, else (never seen: opened mid-capture) when it started. */
export function timeOrigin(id: string, startedAt: string): number {
  return firstTimes.get(id) ?? Date.parse(startedAt) / 1000;
}

export function usePackets(id: string, live: boolean) {
  const seen = (next: PacketSummary[]) => (rememberFirst(id, next), next);
  const r = useLiveData<PacketSummary[], PacketSummary[], PacketSummary[]>(
    {
      fetch: () => getApi().call('getPackets', { id }),
      subscribe: (listener) =>
        getApi().on('packets', (m) => {
          if (m.id === id && live) listener(m.packets);
        }),
      pollMs: live ? PACKETS_POLL_MS : null,
      initial: [],
      // A finished capture's answer is the file's own first packets: the whole list.
      fromFetch: live ? (old, more) => (rememberFirst(id, more), mergePackets(old, more)) : (_old, rows) => seen(rows),
      fromPush: (old, more) => (rememberFirst(id, more), mergePackets(old, more)),
    },
    [id, live],
  );
  return { packets: r.data, error: r.error };
}

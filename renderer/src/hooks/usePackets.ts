// The decoded packets of one capture: getPackets, then 'packets' events for it, and
// polls while it is live (the backend may not push packets to this front door).
import type { PacketSummary } from '../../../shared/capture';
import { getApi } from '../api';
import { useLiveData } from './useLiveData';

/** Keep the DOM small: the full capture is in the file, this is a live glance. */
export const MAX_PACKET_ROWS = 500;
export const PACKETS_POLL_MS = 1500;

/** `old` plus the packets of `more` it has not seen (numbers above its last), the newest MAX_PACKET_ROWS. */
export function mergePackets(old: PacketSummary[], more: PacketSummary[]): PacketSummary[] {
  const last = old.length ? old[old.length - 1]!.no : 0;
  const fresh = more.filter((p) => p.no > last);
  if (!fresh.length) return old;
  const next = old.concat(fresh);
  return next.length > MAX_PACKET_ROWS ? next.slice(next.length - MAX_PACKET_ROWS) : next;
}

export function usePackets(id: string, live: boolean) {
  const r = useLiveData<PacketSummary[], PacketSummary[], PacketSummary[]>(
    {
      fetch: () => getApi().call('getPackets', { id }),
      subscribe: (listener) =>
        getApi().on('packets', (m) => {
          if (m.id === id) listener(m.packets);
        }),
      pollMs: live ? PACKETS_POLL_MS : null,
      initial: [],
      fromFetch: mergePackets,
      fromPush: mergePackets,
    },
    [id, live],
  );
  return { packets: r.data, error: r.error };
}

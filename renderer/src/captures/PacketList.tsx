// The live decoded packet list of one capture: getPackets once, then 'packets' events.
import { useEffect, useState } from 'react';
import type { PacketSummary } from '../../../shared/capture';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';
import { ErrorText } from '../lib/ErrorText';

/** Keep the DOM small: the full capture is in the file, this is a live glance. */
const MAX_ROWS = 500;

export function PacketList({ id, live }: { id: string; live: boolean }) {
  const [packets, setPackets] = useState<PacketSummary[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);
  useEffect(() => {
    let alive = true;
    setPackets([]);
    const merge = (more: PacketSummary[]) =>
      setPackets((old) => {
        const last = old.length ? old[old.length - 1]!.no : 0;
        const next = old.concat(more.filter((p) => p.no > last));
        return next.length > MAX_ROWS ? next.slice(next.length - MAX_ROWS) : next;
      });
    const off = getApi().on('packets', (m) => {
      if (m.id === id) merge(m.packets);
    });
    const load = async () => {
      const r = await getApi().call('getPackets', { id });
      if (!alive) return;
      if (r.ok) merge(r.result);
      else setError(r.error);
    };
    void load();
    // Poll too while live: the backend may not push packets to this front door.
    const t = live ? setInterval(() => void load(), 1500) : undefined;
    return () => {
      alive = false;
      off();
      if (t) clearInterval(t);
    };
  }, [id, live]);
  const t0 = packets[0]?.time ?? 0;
  return (
    <div className="vs-packets" role="region" aria-label="Packets" tabIndex={0}>
      <ErrorText error={error} />
      <table className="vs-table">
        <thead>
          <tr>
            <th scope="col">No</th>
            <th scope="col">Time</th>
            <th scope="col">Source</th>
            <th scope="col">Destination</th>
            <th scope="col">Protocol</th>
            <th scope="col">Length</th>
            <th scope="col">Info</th>
          </tr>
        </thead>
        <tbody>
          {packets.length === 0 && (
            <tr>
              <td colSpan={7} className="vs-muted">
                {live ? 'Waiting for packets…' : 'No packets.'}
              </td>
            </tr>
          )}
          {packets.map((p) => (
            <tr key={p.no}>
              <td>{p.no}</td>
              <td>{(p.time - t0).toFixed(6)}</td>
              <td>{p.src}</td>
              <td>{p.dst}</td>
              <td>{p.protocol}</td>
              <td>{p.length}</td>
              <td className="vs-info">{p.info}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

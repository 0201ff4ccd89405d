// The live decoded packet list of one capture (usePackets: getPackets, then 'packets' events).
import { usePackets } from '../hooks/usePackets';
import { ErrorText } from '../lib/ErrorText';

export function PacketList({ id, live }: { id: string; live: boolean }) {
  const { packets, error } = usePackets(id, live);
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

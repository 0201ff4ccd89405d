// The busiest containers right now; a click selects and centres one on the map.
import { useContext } from 'react';
import { RatesContext } from './graph/context';
import { formatBitRate } from '../../shared/units';

export function TopTalkers({ onPick, limit = 8 }: { onPick: (containerId: string) => void; limit?: number }) {
  const rates = useContext(RatesContext);
  if (!rates.sample) return null; // no sampler: show nothing rather than an empty box
  const top = rates.sample.containers
    .map((c) => ({ ...c, total: c.rxBytesPerSec + c.txBytesPerSec }))
    .filter((c) => c.total > 0)
    .sort((a, b) => b.total - a.total)
    .slice(0, limit);
  return (
    <section className="vs-talkers" aria-label="Top talkers">
      <h2>Top talkers</h2>
      {top.length === 0 ? (
        <p className="vs-muted">All quiet.</p>
      ) : (
        <ol>
          {top.map((c) => (
            <li key={c.id}>
              <button type="button" className="vs-link" onClick={() => onPick(c.id)} aria-label={`${c.name}, ${formatBitRate(c.total)}`}>
                <span className="vs-talker-name">{c.name}</span>
                <span className="vs-talker-rate">
                  ↓{formatBitRate(c.rxBytesPerSec)} ↑{formatBitRate(c.txBytesPerSec)}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

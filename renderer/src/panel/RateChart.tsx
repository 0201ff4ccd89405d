// Five minutes of rx/tx for one interface (useRateHistory), refreshed every 5 s.
import { formatBitRate } from '../../../shared/units';
import { RATE_HISTORY_SECONDS, useRateHistory } from '../hooks/useRateHistory';
import { ErrorText } from '../lib/ErrorText';

const W = 320;
const H = 90;

export function RateChart({ netns, name }: { netns: number; name: string }) {
  const { points, error } = useRateHistory(netns, name);
  if (error) return <ErrorText error={error} />;
  if (!points) return <p className="vs-muted">Loading history…</p>;
  if (points.length < 2) return <p className="vs-muted">No rate history for {name} yet.</p>;
  const t1 = points[points.length - 1]!.time;
  const t0 = t1 - RATE_HISTORY_SECONDS;
  const max = Math.max(1, ...points.map((p) => Math.max(p.rxBytesPerSec, p.txBytesPerSec)));
  const x = (t: number) => ((t - t0) / RATE_HISTORY_SECONDS) * W;
  const y = (v: number) => H - 2 - (v / max) * (H - 14);
  const line = (k: 'rxBytesPerSec' | 'txBytesPerSec') => points.map((p) => `${x(p.time).toFixed(1)},${y(p[k]).toFixed(1)}`).join(' ');
  return (
    <figure className="vs-chart">
      <svg width={W} height={H} role="img" aria-label={`${name}: last 5 minutes, peak ${formatBitRate(max)}`}>
        <line x1={0} y1={H - 1} x2={W} y2={H - 1} className="vs-axis" />
        <text x={2} y={10} className="vs-chart-label">{formatBitRate(max)}</text>
        <polyline points={line('rxBytesPerSec')} className="vs-line-rx" fill="none" />
        <polyline points={line('txBytesPerSec')} className="vs-line-tx" fill="none" />
      </svg>
      <figcaption>
        <span className="vs-key-rx">rx</span> <span className="vs-key-tx">tx</span> · last 5 min
      </figcaption>
    </figure>
  );
}

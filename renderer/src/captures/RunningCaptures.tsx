// Captures in progress: live counters, the packet list, and Stop.
import { useState } from 'react';
import type { CaptureInfo } from '../../../shared/capture';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';
import { ErrorText } from '../lib/ErrorText';
import { formatBitRate, formatBytes, formatPacketRate } from '../../../shared/units';
import { formatElapsed } from '../lib/format';
import { PacketList } from './PacketList';
import { describeTargets } from './targets';

function RunningCapture({ c, onUpdate }: { c: CaptureInfo; onUpdate: (c: CaptureInfo) => void }) {
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [stopping, setStopping] = useState(false);
  const stop = async () => {
    setStopping(true);
    const r = await getApi().call('stopCapture', { id: c.id });
    setStopping(false);
    if (r.ok) onUpdate(r.result);
    else setError(r.error);
  };
  return (
    <article className="vs-running" aria-label={`Running capture of ${describeTargets(c)}`}>
      <header className="vs-running-head">
        <span className="vs-rec" aria-hidden="true" />
        <strong>{describeTargets(c)}</strong>
        <span className="vs-muted">{c.state}</span>
        {c.filter && <code>{c.filter}</code>}
        <button type="button" className="vs-danger" onClick={() => void stop()} disabled={stopping || c.state === 'stopping'}>
          {stopping || c.state === 'stopping' ? 'Stopping…' : 'Stop capture'}
        </button>
      </header>
      <dl className="vs-stats">
        <div>
          <dt>Packets</dt>
          <dd data-testid="capture-packets">{c.packets}</dd>
        </div>
        <div>
          <dt>Bytes</dt>
          <dd>{formatBytes(c.bytes)}</dd>
        </div>
        <div>
          <dt>Rate</dt>
          <dd>
            {formatBitRate(c.bytesPerSec)} · {formatPacketRate(c.packetsPerSec)}
          </dd>
        </div>
        <div>
          <dt>Dropped</dt>
          <dd className={c.dropped > 0 ? 'vs-warn' : ''}>{c.dropped}</dd>
        </div>
        <div>
          <dt>Running for</dt>
          <dd>{formatElapsed(c.startedAt, null)}</dd>
        </div>
      </dl>
      <ErrorText error={error} />
      <PacketList id={c.id} live />
    </article>
  );
}

export function RunningCaptures({ captures, onUpdate }: { captures: CaptureInfo[]; onUpdate: (c: CaptureInfo) => void }) {
  if (!captures.length) return null;
  return (
    <section className="vs-section" aria-label="Running captures">
      <h2>Running captures</h2>
      {captures.map((c) => (
        <RunningCapture key={c.id} c={c} onUpdate={onUpdate} />
      ))}
    </section>
  );
}

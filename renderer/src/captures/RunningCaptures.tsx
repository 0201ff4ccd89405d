// Captures in progress: live counters, gaps of a followed container, the packet list,
// and Stop. A capture that ends by itself (its container went away, a limit, an error)
// stays here, saying why, until dismissed: it never just vanishes.
import { useState } from 'react';
import type { CaptureInfo } from '../../../shared/capture';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';
import { ErrorText } from '../lib/ErrorText';
import { formatBitRate, formatBytes, formatPacketRate } from '../../../shared/units';
import { printable } from '../../../shared/text';
import { formatElapsed } from '../lib/format';
import { PacketList } from './PacketList';
import { describeTargets, isLive } from './targets';
import { endReason, gapText } from './describe';
import { OpenLive } from './OpenLive';

function RunningCapture({ c, onUpdate, onDismiss }: { c: CaptureInfo; onUpdate: (c: CaptureInfo) => void; onDismiss: (id: string) => void }) {
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [stopping, setStopping] = useState(false);
  const live = isLive(c);
  const stop = async () => {
    setStopping(true);
    const r = await getApi().call('stopCapture', { id: c.id });
    setStopping(false);
    if (r.ok) onUpdate(r.result);
    else setError(r.error);
  };
  const why = endReason(c);
  return (
    <article className={`vs-running${live ? '' : ' is-ended'}`} aria-label={`${live ? 'Running' : 'Ended'} capture of ${describeTargets(c)}`}>
      <header className="vs-running-head">
        {live && <span className="vs-rec" aria-hidden="true" />}
        <strong>{describeTargets(c)}</strong>
        <span className="vs-muted">{c.state}</span>
        {c.filter && <code>{c.filter}</code>}
        {live ? (
          <button type="button" className="vs-danger" onClick={() => void stop()} disabled={stopping || c.state === 'stopping'}>
            {stopping || c.state === 'stopping' ? 'Stopping…' : 'Stop capture'}
          </button>
        ) : (
          <button type="button" onClick={() => onDismiss(c.id)}>
            Dismiss
          </button>
        )}
      </header>
      {live && <OpenLive c={c} onUpdate={onUpdate} />}
      {!live && why && (
        <p className={c.state === 'failed' ? 'vs-ended vs-error' : 'vs-ended vs-warn'} role="alert" data-testid="capture-ended">
          Ended: {why}. The file is in Saved captures.
        </p>
      )}
      {c.bottleneck && (
        <p className="vs-gap vs-warn" role="status" data-testid="capture-bottleneck">
          {live ? 'Cannot keep up' : 'Could not keep up'}: {printable(c.bottleneck.message)}
        </p>
      )}
      {c.gaps.map((g) => (
        <p key={`${g.label}@${g.from}`} className="vs-gap vs-warn" data-testid="capture-gap">
          {g.label}: {gapText(g)}
        </p>
      ))}
      <dl className="vs-stats">
        <div>
          <dt>Packets</dt>
          <dd data-testid="capture-packets">{c.packets}</dd>
        </div>
        <div>
          <dt>Bytes</dt>
          <dd>{formatBytes(c.bytes)}</dd>
        </div>
        {live && (
          <div>
            <dt>Rate</dt>
            <dd>
              {formatBitRate(c.bytesPerSec)} · {formatPacketRate(c.packetsPerSec)}
            </dd>
          </div>
        )}
        <div>
          <dt>Dropped</dt>
          <dd className={c.dropped > 0 ? 'vs-warn' : ''}>{c.dropped}</dd>
        </div>
        <div>
          <dt>{live ? 'Running for' : 'Ran for'}</dt>
          <dd>{formatElapsed(c.startedAt, c.endedAt)}</dd>
        </div>
      </dl>
      <ErrorText error={error} />
      <PacketList capture={c} live={live} />
    </article>
  );
}

export function RunningCaptures({ captures, onUpdate, onDismiss }: { captures: CaptureInfo[]; onUpdate: (c: CaptureInfo) => void; onDismiss: (id: string) => void }) {
  if (!captures.length) return null;
  return (
    <section className="vs-section" aria-label="Running captures">
      <h2>Running captures</h2>
      {captures.map((c) => (
        <RunningCapture key={c.id} c={c} onUpdate={onUpdate} onDismiss={onDismiss} />
      ))}
    </section>
  );
}

// A running capture's Wireshark button: Open live in Wireshark, or (browser mode on a host
// with no display) why that cannot happen here and the file to take to Wireshark instead.
import { useState } from 'react';
import type { CaptureInfo } from '../../../shared/capture';
import type { ErrorInfo } from '../../../shared/result';
import { apiMode, downloadCapture, getApi } from '../api';
import { useStatus } from '../hooks/useStatus';
import { ErrorText } from '../lib/ErrorText';
import { baseName } from './targets';
import { liveOffer, WIRESHARK_DOWNLOAD } from './openLive';

export function OpenLive({ c, onUpdate }: { c: CaptureInfo; onUpdate: (c: CaptureInfo) => void }) {
  const { status } = useStatus();
  const [error, setError] = useState<ErrorInfo | null>(null);
  const offer = liveOffer(apiMode(), status?.launchers ?? null);
  const open = async () => {
    const r = await getApi().call('openCapture', { id: c.id, with: 'wireshark-live' });
    if (!r.ok) setError(r.error);
    else setError(r.result.launched ? null : { code: 'UNSUPPORTED', message: `Wireshark did not start: ${r.result.reason ?? 'unknown reason'}.` });
  };
  const stopAndDownload = async () => {
    const r = await getApi().call('stopCapture', { id: c.id });
    if (!r.ok) return setError(r.error);
    onUpdate(r.result);
    const d = await downloadCapture(c.id, baseName(r.result.files[0] ?? `${c.id}.${c.format}`));
    setError(d.ok ? null : d.error);
  };
  if (offer.kind === 'elsewhere')
    return (
      <div className="vs-launch-note" data-testid="wireshark-elsewhere">
        <p className="vs-muted">
          {offer.message}{' '}
          <a href={WIRESHARK_DOWNLOAD} target="_blank" rel="noreferrer noopener">
            Get Wireshark
          </a>
        </p>
        <button type="button" onClick={() => void stopAndDownload()}>
          Stop and download
        </button>
        <ErrorText error={error} />
      </div>
    );
  return (
    <div className="vs-launch-note" data-testid="open-live">
      {/* A disabled button cannot show a tooltip in every browser: the wrapper carries it. */}
      <span title={offer.title}>
        <button type="button" disabled={!offer.enabled} onClick={() => void open()}>
          Open live in Wireshark
        </button>
      </span>
      <ErrorText error={error} />
    </div>
  );
}

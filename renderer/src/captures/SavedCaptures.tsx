// Finished captures: where the file is, what it holds, and what to do with it.
import { useState } from 'react';
import type { BackendStatus } from '../../../shared/api';
import type { CaptureInfo } from '../../../shared/capture';
import type { ErrorInfo } from '../../../shared/result';
import { apiMode, downloadCapture, getApi } from '../api';
import { ErrorText } from '../lib/ErrorText';
import { formatBytes, formatDuration, formatTime } from '../lib/format';
import { ConfirmDialog } from './ConfirmDialog';
import { baseName, describeTargets } from './targets';
import { PacketList } from './PacketList';
import { endReason, gapText } from './describe';

function SaveAs({ c, onError }: { c: CaptureInfo; onError: (e: ErrorInfo | null) => void }) {
  const [path, setPath] = useState('');
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const file = baseName(c.files[0] ?? `${c.id}.${c.format}`);
  // Browser: each press asks for a single-use link to this file; the session never goes into a URL.
  if (apiMode() === 'browser')
    return (
      <button type="button" onClick={() => void downloadCapture(c.id, file).then((r) => onError(r.ok ? null : r.error))}>
        Save as…
      </button>
    );
  // Electron: the API copies to a path; the preload offers no file dialog, so ask inline.
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Save as…
      </button>
    );
  return (
    <form
      className="vs-saveas"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await getApi().call('saveCaptureAs', { id: c.id, path });
        if (r.ok) {
          setSaved(r.result.path);
          setOpen(false);
          onError(null);
        } else onError(r.error);
      }}
    >
      <label>
        <span className="vs-sr">Save to path</span>
        <input type="text" value={path} placeholder={`/home/you/${file}`} onChange={(e) => setPath(e.target.value)} autoFocus required />
      </label>
      <button type="submit">Save</button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {saved && <span className="vs-ok">Saved to {saved}</span>}
    </form>
  );
}

function SavedRow({ c, status, onDeleted }: { c: CaptureInfo; status: BackendStatus | null; onDeleted: (id: string) => void }) {
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [showPackets, setShowPackets] = useState(false);
  const open = async (how: 'wireshark' | 'folder') => {
    const r = await getApi().call('openCapture', { id: c.id, with: how });
    if (!r.ok) setError(r.error);
    else if (!r.result.launched) setError({ code: 'UNSUPPORTED', message: `${how === 'wireshark' ? 'Wireshark did not start' : 'No file manager started'}: ${r.result.reason ?? 'unknown reason'}.` });
    else setError(null);
  };
  const del = async () => {
    setConfirm(false);
    const r = await getApi().call('deleteCapture', { id: c.id });
    if (r.ok) onDeleted(c.id);
    else setError(r.error);
  };
  const wireshark = status?.launchers.wireshark ?? false;
  const fileManager = status?.launchers.fileManager ?? false;
  const cannot = status?.launchers.reason;
  const file = c.files[0] ?? '';
  const why = endReason(c);
  return (
    <>
      <tr aria-label={`Capture ${baseName(file)}`}>
        <td>
          <span className="vs-file" title={file}>
            {baseName(file) || c.id}
          </span>
          {c.files.length > 1 && <span className="vs-muted"> +{c.files.length - 1} files</span>}
          {c.state === 'failed' && <span className="vs-warn"> failed{c.error ? `: ${c.error.message}` : ''}</span>}
        </td>
        <td>{describeTargets(c)}</td>
        <td>{formatBytes(c.bytes)}</td>
        <td>{c.packets}</td>
        <td className="vs-when">
          {formatTime(c.startedAt)} <span className="vs-muted">({formatDuration(c.startedAt, c.endedAt)})</span>
          {why && (
            <div className={c.state === 'failed' ? 'vs-error' : c.reason === 'target-gone' ? 'vs-warn' : 'vs-muted'} data-testid="saved-reason">
              ended: {why}
            </div>
          )}
          {c.gaps.map((g) => (
            <div key={`${g.label}@${g.from}`} className="vs-warn" data-testid="saved-gap">
              {gapText(g)}
            </div>
          ))}
        </td>
        <td className="vs-actions">
          <SaveAs c={c} onError={setError} />
          {/* A disabled button cannot show a tooltip in every browser: wrap it so the title still appears on hover. */}
          <span title={fileManager ? 'Show the file in the file manager' : (cannot ?? 'No file manager is available on this desktop')}>
            <button type="button" disabled={!fileManager} onClick={() => void open('folder')}>
              Reveal in folder
            </button>
          </span>
          <span title={wireshark ? 'Open in Wireshark' : (cannot ?? 'Wireshark is not installed or cannot be launched')}>
            <button type="button" disabled={!wireshark} onClick={() => void open('wireshark')}>
              Open in Wireshark
            </button>
          </span>
          <button type="button" aria-expanded={showPackets} onClick={() => setShowPackets((v) => !v)}>
            Packets
          </button>
          <button type="button" className="vs-danger" onClick={() => setConfirm(true)}>
            Delete
          </button>
        </td>
      </tr>
      {(error || showPackets) && (
        <tr>
          <td colSpan={6}>
            {/* Width 0, min 100%: the packets never make the table (and its buttons) wider than the window. */}
            <div className="vs-cell-fill">
              <ErrorText error={error} />
              {showPackets && <PacketList capture={c} live={false} />}
            </div>
          </td>
        </tr>
      )}
      {confirm && (
        <ConfirmDialog
          title="Delete capture?"
          message={`Delete ${c.files.map(baseName).join(', ') || c.id}? The file cannot be recovered.`}
          confirmLabel="Delete"
          onConfirm={() => void del()}
          onCancel={() => setConfirm(false)}
        />
      )}
    </>
  );
}

export function SavedCaptures({ captures, status, onDeleted }: { captures: CaptureInfo[]; status: BackendStatus | null; onDeleted: (id: string) => void }) {
  return (
    <section className="vs-section" aria-label="Saved captures">
      <h2>Saved captures</h2>
      {captures.length > 0 && status && !status.launchers.fileManager && status.launchers.reason && (
        <p className="vs-muted vs-launch-note" data-testid="launchers-unavailable">
          Reveal in folder and Open in Wireshark are off: {status.launchers.reason}.
        </p>
      )}
      {captures.length === 0 ? (
        <p className="vs-muted">No saved captures yet. Select a container and press Start capture.</p>
      ) : (
        <table className="vs-table vs-saved">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Targets</th>
              <th scope="col">Size</th>
              <th scope="col">Packets</th>
              <th scope="col">Time</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {captures.map((c) => (
              <SavedRow key={c.id} c={c} status={status} onDeleted={onDeleted} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// The host list in the side column: every host with its status, an add field
// (ssh://[user@]host[:port] or a ~/.ssh/config name) and a remove button per remote host.
import { useState, type FormEvent } from 'react';
import type { HostTopology } from '../../../shared/api';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';
import { ErrorText } from '../lib/ErrorText';
import { hostLine, sourceLabel } from './hostsView';

export function HostList({ hosts, onChanged }: { hosts: HostTopology[]; onChanged: () => void }) {
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!url.trim()) return;
    setBusy(true);
    const r = await getApi().call('addHost', { url: url.trim() });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setError(null);
    setUrl('');
    onChanged();
  };
  const remove = async (id: string) => {
    const r = await getApi().call('removeHost', { id });
    if (!r.ok) setError(r.error);
    onChanged();
  };
  return (
    <section className="vs-hostlist" aria-label="Hosts">
      <h2>Hosts</h2>
      <ul>
        <li className="vs-host-row">
          <span className="vs-host-dot vs-host-reachable" aria-hidden="true" /> local · this machine
        </li>
        {hosts.map((h) => (
          <li key={h.host.id} className="vs-host-row" data-testid={`host-${h.host.id}`}>
            <span className={`vs-host-dot vs-host-${h.host.state}`} aria-hidden="true" />
            <span className="vs-host-text" title={sourceLabel(h.host)}>
              {hostLine(h.host)}
            </span>
            <button type="button" onClick={() => void remove(h.host.id)} aria-label={`Remove host ${h.host.id}`} title="Remove from the list">
              ×
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void add(e)} className="vs-host-add">
        <label>
          <span className="vs-sr">Add a Docker host over SSH</span>
          <input type="text" placeholder="ssh://user@host (your SSH keys and config)" value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} />
        </label>
        <button type="submit" disabled={busy || !url.trim()}>
          {busy ? 'Connecting…' : 'Add host'}
        </button>
      </form>
      {error && <ErrorText error={error} />}
    </section>
  );
}

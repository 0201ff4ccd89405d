// Remote hosts' maps: pushed 'hosts' events (the backend refreshes each host while someone
// listens), with a slow poll as a safety net.
import { useCallback, useEffect, useState } from 'react';
import type { HostTopology } from '../../../shared/api';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';
import { mergeHosts } from './hostsView';

const POLL_MS = 10_000;

export function useHosts(): { hosts: HostTopology[]; error: ErrorInfo | null; reload: () => void } {
  const [hosts, setHosts] = useState<HostTopology[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const reload = useCallback(() => {
    void getApi()
      .call('getHostTopologies', {})
      .then((r) => {
        if (r.ok) {
          setHosts((prev) => mergeHosts(prev, r.result));
          setError(null);
        } else setError(r.error);
      });
  }, []);
  useEffect(() => {
    reload();
    const off = getApi().on('hosts', (next) => setHosts((prev) => mergeHosts(prev, next)));
    const t = setInterval(reload, POLL_MS);
    return () => {
      off();
      clearInterval(t);
    };
  }, [reload]);
  return { hosts, error, reload };
}

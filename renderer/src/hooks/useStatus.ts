// Backend status (Docker, privileges, launchers), refreshed by 'status' events.
import { useCallback, useEffect, useState } from 'react';
import type { BackendStatus } from '../../../shared/api';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';

export function useStatus() {
  const [status, setStatus] = useState<BackendStatus | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [retrying, setRetrying] = useState(false);

  const load = useCallback(async () => {
    const r = await getApi().call('getStatus', {});
    if (r.ok) {
      setStatus(r.result);
      setError(null);
    } else setError(r.error);
  }, []);

  const retryHelper = useCallback(async () => {
    setRetrying(true);
    const r = await getApi().call('retryHelper', {});
    setRetrying(false);
    if (r.ok) {
      setStatus(r.result);
      setError(null);
    } else setError(r.error);
  }, []);

  useEffect(() => {
    void load();
    const off = getApi().on('status', setStatus);
    const t = setInterval(() => void load(), 10_000);
    return () => {
      off();
      clearInterval(t);
    };
  }, [load]);

  return { status, error, retrying, retryHelper, reload: load };
}

// Backend status (Docker, privileges, launchers): 'status' events, polled every 10 s.
import { useCallback, useState } from 'react';
import type { BackendStatus } from '../../../shared/api';
import { getApi } from '../api';
import { replace, useLiveData } from './useLiveData';

export const STATUS_POLL_MS = 10_000;

export function useStatus() {
  const live = useLiveData<BackendStatus | null, BackendStatus, BackendStatus>(
    {
      fetch: () => getApi().call('getStatus', {}),
      subscribe: (listener) => getApi().on('status', listener),
      pollMs: STATUS_POLL_MS,
      initial: null,
      fromFetch: replace,
      fromPush: replace,
    },
    [],
  );
  const [retrying, setRetrying] = useState(false);
  const { accept } = live;

  const retryHelper = useCallback(async () => {
    setRetrying(true);
    const r = await getApi().call('retryHelper', {});
    setRetrying(false);
    accept(r);
  }, [accept]);

  return { status: live.data, error: live.error, retrying, retryHelper, reload: live.refresh };
}

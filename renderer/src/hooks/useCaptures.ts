// Captures: listCaptures on load and every 2 s, 'capture' events (one capture each) in between.
import { useCallback } from 'react';
import type { CaptureInfo } from '../../../shared/capture';
import { getApi } from '../api';
import { replace, useLiveData } from './useLiveData';

export const CAPTURES_POLL_MS = 2000;

/** The list with `c` replacing the capture of the same id, or first when it is new. */
export function upsertCapture(list: CaptureInfo[], c: CaptureInfo): CaptureInfo[] {
  const i = list.findIndex((x) => x.id === c.id);
  if (i < 0) return [c, ...list];
  const next = list.slice();
  next[i] = c;
  return next;
}

export function useCaptures() {
  const live = useLiveData<CaptureInfo[], CaptureInfo[], CaptureInfo>(
    {
      fetch: () => getApi().call('listCaptures', {}),
      subscribe: (listener) => getApi().on('capture', listener),
      pollMs: CAPTURES_POLL_MS,
      initial: [],
      fromFetch: replace,
      fromPush: upsertCapture,
    },
    [],
  );
  const { update } = live;
  const upsert = useCallback((c: CaptureInfo) => update((list) => upsertCapture(list, c)), [update]);
  const remove = useCallback((id: string) => update((list) => list.filter((c) => c.id !== id)), [update]);
  return { captures: live.data, error: live.error, reload: live.refresh, upsert, remove };
}

// Five minutes of rx/tx for one interface (getRateHistory), refreshed every 5 s.
import type { ApiOutput } from '../../../shared/api';
import { getApi } from '../api';
import { replace, useLiveData } from './useLiveData';

export type RateHistory = ApiOutput<'getRateHistory'>;

export const RATE_HISTORY_SECONDS = 300;
export const RATE_HISTORY_POLL_MS = 5000;

export function useRateHistory(netns: number, name: string) {
  const r = useLiveData<RateHistory | null, RateHistory>(
    { fetch: () => getApi().call('getRateHistory', { netns, name, seconds: RATE_HISTORY_SECONDS }), pollMs: RATE_HISTORY_POLL_MS, initial: null, fromFetch: replace },
    [netns, name],
  );
  return { points: r.data, error: r.error };
}

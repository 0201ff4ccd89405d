// Live rates: the latest sample plus 60 s of per-container history for sparklines.
// Rates come from 'rates' events (one a second); when none came for a while we poll getRates.
import type { RatesSample, InterfaceRate } from '../../../shared/rates';
import { getApi } from '../api';
import { rateKeyString } from '../graph/model';
import { useLiveData } from './useLiveData';

export const SPARK_SECONDS = 60;
/** Poll when no sample arrived for this long (the sampler pushes every second). */
export const RATES_QUIET_MS = 2500;

export interface RatesView {
  sample: RatesSample | null;
  /** `${netns}/${name}` -> rate. */
  byIface: Map<string, InterfaceRate>;
  /** container id -> last 60 s of rx+tx bytes/s, oldest first. */
  history: Map<string, number[]>;
  /** Bumps on every sample so memoised children can re-render. */
  version: number;
}

export const EMPTY_RATES: RatesView = { sample: null, byIface: new Map(), history: new Map(), version: 0 };

/** The view after sample `s`; the same view for none or for one already applied (poll and push may deliver the same sample). */
export function nextRatesView(prev: RatesView, s: RatesSample | null): RatesView {
  if (!s || (prev.sample && s.time <= prev.sample.time)) return prev;
  const history = new Map<string, number[]>();
  for (const c of s.containers) {
    const h = [...(prev.history.get(c.id) ?? []), c.rxBytesPerSec + c.txBytesPerSec];
    history.set(c.id, h.length > SPARK_SECONDS ? h.slice(h.length - SPARK_SECONDS) : h); // gone containers drop out
  }
  const byIface = new Map(s.interfaces.map((i) => [rateKeyString(i), i]));
  return { sample: s, byIface, history, version: prev.version + 1 };
}

export function useRates(): RatesView {
  return useLiveData<RatesView, RatesSample | null, RatesSample>(
    {
      fetch: () => getApi().call('getRates', {}),
      subscribe: (listener) => getApi().on('rates', listener),
      pollMs: RATES_QUIET_MS,
      pushIsWhole: true,
      initial: EMPTY_RATES,
      fromFetch: nextRatesView,
      fromPush: nextRatesView,
    },
    [],
  ).data;
}

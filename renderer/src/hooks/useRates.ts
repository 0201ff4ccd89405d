// Live rates: the latest sample plus 60 s of per-container history for sparklines.
// Rates come from 'rates' events; if none arrive for a while we poll getRates.
import { useEffect, useRef, useState } from 'react';
import type { RatesSample, InterfaceRate } from '../../../shared/rates';
import { getApi } from '../api';
import { rateKeyString } from '../graph/model';

export const SPARK_SECONDS = 60;

export interface RatesView {
  sample: RatesSample | null;
  /** `${netns}/${name}` -> rate. */
  byIface: Map<string, InterfaceRate>;
  /** container id -> last 60 s of rx+tx bytes/s, oldest first. */
  history: Map<string, number[]>;
  /** Bumps on every sample so memoised children can re-render. */
  version: number;
}

const EMPTY: RatesView = { sample: null, byIface: new Map(), history: new Map(), version: 0 };

export function useRates(): RatesView {
  const [view, setView] = useState<RatesView>(EMPTY);
  const lastAt = useRef(0);
  const history = useRef(new Map<string, number[]>());

  useEffect(() => {
    const apply = (s: RatesSample | null) => {
      if (!s) return;
      if (s.time <= lastAt.current) return; // poll and push may deliver the same sample
      lastAt.current = s.time;
      const seen = new Set<string>();
      for (const c of s.containers) {
        seen.add(c.id);
        const h = history.current.get(c.id) ?? [];
        h.push(c.rxBytesPerSec + c.txBytesPerSec);
        if (h.length > SPARK_SECONDS) h.splice(0, h.length - SPARK_SECONDS);
        history.current.set(c.id, h);
      }
      for (const id of [...history.current.keys()]) if (!seen.has(id)) history.current.delete(id);
      const byIface = new Map(s.interfaces.map((i) => [rateKeyString(i), i]));
      setView((v) => ({ sample: s, byIface, history: history.current, version: v.version + 1 }));
    };
    const off = getApi().on('rates', apply);
    const poll = async () => {
      if (Date.now() / 1000 - lastAt.current < 2.5) return;
      const r = await getApi().call('getRates', {});
      if (r.ok) apply(r.result);
    };
    void poll();
    const t = setInterval(() => void poll(), 2000);
    return () => {
      off();
      clearInterval(t);
    };
  }, []);

  return view;
}

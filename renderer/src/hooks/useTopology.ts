// The live topology: 'topology' events when the backend pushes, and a poll either
// way. A new container shows up after (wait until the next poll) + (one discovery),
// so the poll starts every POLL_MS (never overlapping): with discovery at ~0.3 s that
// is well within the 2 s promise; on a loaded host discovery itself can take ~1 s.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Topology } from '../../../shared/topology';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';

export const TOPOLOGY_POLL_MS = 1000;
const MIN_GAP_MS = 300;

export interface TopologyState {
  topology: Topology | null;
  error: ErrorInfo | null;
  loading: boolean;
  refresh: () => void;
}

/**
 * Polls return a fresh object every time; keeping the old one when nothing but the
 * timestamps changed spares React from re-rendering every node every 1.5 s.
 */
function keepIfSame(prev: Topology | null, next: Topology): Topology {
  if (!prev) return next;
  const strip = (t: Topology) => JSON.stringify({ ...t, generatedAt: '', elapsedMs: 0 });
  return strip(prev) === strip(next) ? prev : next;
}

export function useTopology(): TopologyState {
  const [topology, setTopology] = useState<Topology | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const inFlight = useRef(false);

  const refresh = useCallback(async () => {
    if (inFlight.current) return; // a slow discovery must not pile up calls
    inFlight.current = true;
    try {
      const r = await getApi().call('getTopology', {});
      if (r.ok) {
        setTopology((prev) => keepIfSame(prev, r.result));
        setError(null);
      } else setError(r.error);
    } finally {
      inFlight.current = false;
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    const off = getApi().on('topology', (t) => {
      setTopology((prev) => keepIfSame(prev, t));
      setError(null);
      setLoading(false);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let alive = true;
    const loop = async () => {
      const t0 = performance.now();
      await refresh();
      if (!alive) return;
      timer = setTimeout(() => void loop(), Math.max(MIN_GAP_MS, TOPOLOGY_POLL_MS - (performance.now() - t0)));
    };
    timer = setTimeout(() => void loop(), TOPOLOGY_POLL_MS);
    return () => {
      alive = false;
      off();
      clearTimeout(timer);
    };
  }, [refresh]);

  return { topology, error, loading, refresh: () => void refresh() };
}

// The live topology: 'topology' events when the backend pushes, and a poll every
// 1.5 s either way, so a container started elsewhere shows up within 2 s.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Topology } from '../../../shared/topology';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';

export const TOPOLOGY_POLL_MS = 1500;

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
    const timer = setInterval(() => void refresh(), TOPOLOGY_POLL_MS);
    return () => {
      off();
      clearInterval(timer);
    };
  }, [refresh]);

  return { topology, error, loading, refresh: () => void refresh() };
}

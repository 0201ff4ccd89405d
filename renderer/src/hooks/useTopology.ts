// The live topology: pushed 'topology' events, with a slow safety-net poll
// (see topologyFeed.ts for the schedule).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Topology } from '../../../shared/topology';
import type { ErrorInfo } from '../../../shared/result';
import { apiConnection, getApi } from '../api';
import { startTopologyFeed, type TopologyFeed } from './topologyFeed';

export interface TopologyState {
  topology: Topology | null;
  error: ErrorInfo | null;
  loading: boolean;
  refresh: () => void;
}

/**
 * Polls and rescans return a fresh object every time; keeping the old one when nothing
 * but the timestamps changed spares React from re-rendering every node.
 */
export function keepIfSame(prev: Topology | null, next: Topology): Topology {
  if (!prev) return next;
  const strip = (t: Topology) => JSON.stringify({ ...t, generatedAt: '', elapsedMs: 0 });
  return strip(prev) === strip(next) ? prev : next;
}

export function useTopology(): TopologyState {
  const [topology, setTopology] = useState<Topology | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const feed = useRef<TopologyFeed | null>(null);

  useEffect(() => {
    const f = startTopologyFeed(getApi(), apiConnection(), {
      onTopology: (t) => {
        setTopology((prev) => keepIfSame(prev, t));
        setError(null);
      },
      onError: setError,
      onSettled: () => setLoading(false),
    });
    feed.current = f;
    return () => {
      f.stop();
      feed.current = null;
    };
  }, []);

  const refresh = useCallback(() => void feed.current?.refresh(), []);
  return { topology, error, loading, refresh };
}

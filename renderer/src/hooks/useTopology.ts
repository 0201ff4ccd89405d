// The live topology: pushed 'topology' events, with a slow safety-net poll
// (see topologyFeed.ts for the schedule).
import type { Topology } from '../../../shared/topology';
import type { ErrorInfo } from '../../../shared/result';
import { apiConnection, getApi } from '../api';
import { topologySource } from './topologyFeed';
import { useLiveData } from './useLiveData';

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
  const live = useLiveData<Topology | null, Topology, Topology>(
    { ...topologySource(getApi(), apiConnection()), initial: null, fromFetch: keepIfSame, fromPush: keepIfSame },
    [],
  );
  return { topology: live.data, error: live.error, loading: live.loading, refresh: live.refresh };
}

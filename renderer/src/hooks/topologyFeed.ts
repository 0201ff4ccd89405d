// Where the renderer's topology comes from. The backend's TopologyWatcher pushes a
// 'topology' event within ~300 ms of any Docker container/network event and after
// periodic rescans that found a change, so the renderer relies on the push and
// polls getTopology only as a safety net: every 10 s while the event channel is up,
// every 1 s while it is down (browser mode's WebSocket reconnecting), and once right
// away when it comes back (events sent while it was down are lost).
// The schedule itself is liveFeed.ts's; this file is the topology's settings of it.
import type { Topology } from '../../../shared/topology';
import type { ErrorInfo } from '../../../shared/result';
import type { VethscopeApi } from '../../../shared/api';
import type { Connection } from '../api/connection';
import { startLiveFeed, type LiveFeed, type LiveSource } from './liveFeed';

export const POLL_CONNECTED_MS = 10_000;
export const POLL_DISCONNECTED_MS = 1_000;
/**
 * No catch-up poll on the very first open right after start: the initial poll is only a
 * moment old, and parsing a large topology twice while the map first renders is what a
 * 300-container page can't afford.
 */
export const FIRST_OPEN_GRACE_MS = 2_000;

export function topologySource(api: VethscopeApi, conn: Connection): LiveSource<Topology, Topology> {
  return {
    fetch: () => api.call('getTopology', {}),
    subscribe: (listener) => api.on('topology', listener),
    connection: conn,
    pollMs: POLL_CONNECTED_MS,
    disconnectedPollMs: POLL_DISCONNECTED_MS,
    pushIsWhole: true,
    catchUpOnReconnect: true,
    firstOpenGraceMs: FIRST_OPEN_GRACE_MS,
  };
}

export interface FeedHandlers {
  onTopology(t: Topology): void;
  onError(e: ErrorInfo): void;
  /** After every answer (or error) of any kind. */
  onSettled(): void;
}

export type TopologyFeed = LiveFeed;

/** The topology's schedule outside React (useTopology runs the same source through useLiveData). */
export function startTopologyFeed(api: VethscopeApi, conn: Connection, h: FeedHandlers, now: () => number = () => Date.now()): TopologyFeed {
  return startLiveFeed(topologySource(api, conn), { onFetched: h.onTopology, onPushed: h.onTopology, onError: h.onError, onSettled: h.onSettled }, now);
}

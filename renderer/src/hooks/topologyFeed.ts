// Where the renderer's topology comes from. The backend's TopologyWatcher pushes a
// 'topology' event within ~300 ms of any Docker container/network event and after
// periodic rescans that found a change, so the renderer relies on the push and
// polls getTopology only as a safety net: every 10 s while the event channel is up,
// every 1 s while it is down (browser mode's WebSocket reconnecting), and once right
// away when it comes back (events sent while it was down are lost).
// Plain TypeScript (no React) so the schedule is unit-tested with fake timers.
import type { Topology } from '../../../shared/topology';
import type { ErrorInfo } from '../../../shared/result';
import type { VethscopeApi } from '../../../shared/api';
import type { Connection } from '../api/connection';

export const POLL_CONNECTED_MS = 10_000;
export const POLL_DISCONNECTED_MS = 1_000;
export const FIRST_OPEN_GRACE_MS = 2_000;


export interface FeedHandlers {
  onTopology(t: Topology): void;
  onError(e: ErrorInfo): void;
  /** After the first answer (or error) of any kind. */
  onSettled(): void;
}

export interface TopologyFeed {
  /** Poll now (Retry button); ignored while a poll is in flight. */
  refresh(): Promise<void>;
  stop(): void;
  /** Delay until the next scheduled poll (tests, diagnostics). */
  readonly nextPollMs: number | null;
}

export function startTopologyFeed(api: VethscopeApi, conn: Connection, h: FeedHandlers, now: () => number = () => Date.now()): TopologyFeed {
  let alive = true;
  let inFlight = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let nextPollMs: number | null = null;
  /** Last time fresh topology arrived (push or poll): the next poll counts from here. */
  let lastFresh = now();

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    nextPollMs = null;
    if (!alive) return;
    const every = conn.connected() ? POLL_CONNECTED_MS : POLL_DISCONNECTED_MS;
    const wait = Math.max(0, lastFresh + every - now());
    nextPollMs = wait;
    timer = setTimeout(() => void poll(), wait);
  };

  const poll = async () => {
    if (inFlight || !alive) return; // a slow discovery must not pile up calls
    inFlight = true;
    try {
      const r = await api.call('getTopology', {});
      if (!alive) return;
      if (r.ok) {
        lastFresh = now();
        h.onTopology(r.result);
      } else h.onError(r.error);
      h.onSettled();
    } finally {
      inFlight = false;
      // Count the interval from the end of this poll even when it failed.
      lastFresh = Math.max(lastFresh, now());
      schedule();
    }
  };

  const offTopology = api.on('topology', (t) => {
    if (!alive) return;
    lastFresh = now();
    h.onTopology(t);
    h.onSettled();
    schedule();
  });
  const startedAt = now();
  let everUp = conn.connected();
  const offConn = conn.onChange((up) => {
    if (!alive) return;
    // Catch up on whatever was pushed while we were away. Not on the very first open
    // right after start: the initial poll is only a moment old (and parsing a large
    // topology twice while the map first renders is what a 300-container page can't afford).
    const firstOpen = up && !everUp && now() - startedAt < FIRST_OPEN_GRACE_MS;
    if (up) everUp = true;
    if (up && !firstOpen) void poll();
    else schedule();
  });

  void poll();

  return {
    refresh: poll,
    stop() {
      alive = false;
      offTopology();
      offConn();
      if (timer) clearTimeout(timer);
      timer = null;
    },
    get nextPollMs() {
      return nextPollMs;
    },
  };
}

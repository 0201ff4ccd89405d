// One schedule for every live value the renderer shows: fetch the whole state once,
// apply pushed events as they come, and poll as a safety net (pushes can be lost: browser
// mode's WebSocket reconnects, a front door may not get every event). Never two polls at
// once: a slow backend must not pile up calls. Plain TypeScript (no React) so the schedule
// is unit-tested with fake timers; useLiveData.ts puts it in a component's life.
import { toErrorInfo, type ErrorInfo, type Result } from '../../../shared/result';
import { alwaysConnected, type Connection } from '../api/connection';

export interface LiveSchedule {
  /** Poll this often (counted from the last fresh data) while pushes can arrive; null: fetch once, then only on refresh(). */
  pollMs: number | null;
  /** Poll this often while the connection is down (default: pollMs). */
  disconnectedPollMs?: number;
  /** Each push carries the whole state, so it is fresh data and postpones the next poll. Otherwise (one item of a list) polls keep their pace. */
  pushIsWhole?: boolean;
  /** Poll at once when the connection comes back: what was pushed while it was down is lost. */
  catchUpOnReconnect?: boolean;
  /** No catch-up for the first open this soon after start: the first fetch is only a moment old. */
  firstOpenGraceMs?: number;
}

export interface LiveSource<F, E> extends LiveSchedule {
  /** The whole current state: the first call, every poll and refresh(). */
  fetch(): Promise<Result<F>>;
  /** Pushed updates; returns the unsubscribe function. */
  subscribe?(listener: (pushed: E) => void): () => void;
  /** Whether pushes can arrive now (default: always). */
  connection?: Connection;
}

export interface LiveHandlers<F, E> {
  onFetched(fetched: F): void;
  onPushed?(pushed: E): void;
  onError(error: ErrorInfo): void;
  /** After every answer, error or whole push. */
  onSettled?(): void;
}

export interface LiveFeed {
  /** Fetch now (a Retry button); ignored while a fetch is in flight. */
  refresh(): Promise<void>;
  stop(): void;
  /** Delay until the next scheduled poll, null when none is (tests, diagnostics). */
  readonly nextPollMs: number | null;
}

export function startLiveFeed<F, E>(source: LiveSource<F, E>, h: LiveHandlers<F, E>, now: () => number = () => Date.now()): LiveFeed {
  const conn = source.connection ?? alwaysConnected;
  let alive = true;
  let inFlight = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let nextPollMs: number | null = null;
  /** When fresh data last arrived (a fetch ended, a whole push came): the next poll counts from here. */
  let lastFresh = now();

  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    nextPollMs = null;
    const every = conn.connected() ? source.pollMs : (source.disconnectedPollMs ?? source.pollMs);
    if (!alive || every === null) return;
    const wait = Math.max(0, lastFresh + every - now());
    nextPollMs = wait;
    timer = setTimeout(() => void poll(), wait);
  };

  const poll = async () => {
    if (inFlight || !alive) return;
    inFlight = true;
    try {
      let r: Result<F>;
      try {
        r = await source.fetch();
      } catch (err) {
        r = { ok: false, error: toErrorInfo(err) }; // a transport that throws still leaves the feed running
      }
      if (!alive) return;
      if (r.ok) {
        lastFresh = now();
        h.onFetched(r.result);
      } else h.onError(r.error);
      h.onSettled?.();
    } finally {
      inFlight = false;
      // Count the interval from the end of this fetch even when it failed.
      lastFresh = Math.max(lastFresh, now());
      schedule();
    }
  };

  const unsubscribe = source.subscribe?.((pushed) => {
    if (!alive) return;
    h.onPushed?.(pushed);
    if (!source.pushIsWhole) return;
    lastFresh = now();
    h.onSettled?.();
    schedule();
  });

  const startedAt = now();
  let everUp = conn.connected();
  const offConn = conn.onChange((up) => {
    if (!alive) return;
    const firstOpen = up && !everUp && now() - startedAt < (source.firstOpenGraceMs ?? 0);
    if (up) everUp = true;
    if (up && source.catchUpOnReconnect && !firstOpen) void poll();
    else schedule();
  });

  void poll();

  return {
    refresh: poll,
    stop() {
      alive = false;
      unsubscribe?.();
      offConn();
      if (timer) clearTimeout(timer);
      timer = null;
      nextPollMs = null;
    },
    get nextPollMs() {
      return nextPollMs;
    },
  };
}

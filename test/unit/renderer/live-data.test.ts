import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLiveFeed, type LiveSchedule } from '../../../renderer/src/hooks/liveFeed';
import { replace, withError, withFetched, withPushed, type LiveState } from '../../../renderer/src/hooks/useLiveData';
import type { Connection } from '../../../renderer/src/api/connection';
import type { ErrorInfo, Result } from '../../../shared/result';

/** A fake backend: counts fetches, answers `n` (the fetch's number) unless told otherwise, and one push channel. */
function fakes(schedule: LiveSchedule, connected = true) {
  let fetches = 0;
  let reply: () => Promise<Result<number>> = async () => ({ ok: true, result: fetches });
  let listener: ((e: string) => void) | null = null;
  let up = connected;
  const connListeners = new Set<(c: boolean) => void>();
  const connection: Connection = { connected: () => up, onChange: (l) => (connListeners.add(l), () => connListeners.delete(l)) };
  const fetched: number[] = [];
  const pushed: string[] = [];
  const errors: ErrorInfo[] = [];
  let settled = 0;
  const source = {
    ...schedule,
    connection,
    fetch: () => {
      fetches++;
      return reply();
    },
    subscribe: (l: (e: string) => void) => {
      listener = l;
      return () => (listener = null);
    },
  };
  const handlers = { onFetched: (n: number) => fetched.push(n), onPushed: (e: string) => pushed.push(e), onError: (e: ErrorInfo) => errors.push(e), onSettled: () => settled++ };
  return {
    start: () => startLiveFeed(source, handlers, () => Date.now()),
    fetches: () => fetches,
    fetched,
    pushed,
    errors,
    settled: () => settled,
    push: (e: string) => listener?.(e),
    subscribed: () => listener !== null,
    connListeners,
    setUp: (v: boolean) => {
      up = v;
      for (const l of connListeners) l(v);
    },
    setReply: (f: () => Promise<Result<number>>) => (reply = f),
  };
}

describe('live feed: the one fetch-subscribe-poll schedule', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fetches at once, then every pollMs counted from the end of the last fetch', async () => {
    const f = fakes({ pollMs: 2000 });
    let release!: () => void;
    const feed = f.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.fetches()).toBe(1);
    expect(f.fetched).toEqual([1]);
    expect(feed.nextPollMs).toBe(2000);
    await vi.advanceTimersByTimeAsync(1999);
    expect(f.fetches()).toBe(1);
    // The second fetch takes 700 ms: the third comes 2 s after it ended, not 2 s after it began.
    f.setReply(() => new Promise((r) => (release = () => r({ ok: true, result: 2 }))));
    await vi.advanceTimersByTimeAsync(1);
    expect(f.fetches()).toBe(2);
    await vi.advanceTimersByTimeAsync(700);
    release();
    f.setReply(async () => ({ ok: true, result: 3 }));
    await vi.advanceTimersByTimeAsync(1999);
    expect(f.fetches()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.fetches()).toBe(3);
    expect(f.fetched).toEqual([1, 2, 3]);
    feed.stop();
  });

  it('never overlaps fetches: refresh and the timer wait for the one in flight', async () => {
    const f = fakes({ pollMs: 1000 });
    let release!: () => void;
    f.setReply(() => new Promise((r) => (release = () => r({ ok: true, result: 1 }))));
    const feed = f.start();
    await vi.advanceTimersByTimeAsync(5000);
    await feed.refresh();
    expect(f.fetches()).toBe(1); // the first, slow one is still out
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(f.fetched).toEqual([1]);
    f.setReply(async () => ({ ok: true, result: 2 }));
    await feed.refresh(); // idle now: a refresh fetches at once
    expect(f.fetches()).toBe(2);
    expect(f.fetched).toEqual([1, 2]);
    feed.stop();
  });

  it('a whole push is applied at once and postpones the next poll', async () => {
    const f = fakes({ pollMs: 2500, pushIsWhole: true });
    const feed = f.start();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(1000); // the sampler pushes every second: no poll is needed
      f.push(`s${i}`);
    }
    expect(f.pushed).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(f.fetches()).toBe(1);
    expect(f.settled()).toBe(6); // the fetch and every whole push
    await vi.advanceTimersByTimeAsync(2499); // pushes stop: poll 2.5 s after the last one
    expect(f.fetches()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(f.fetches()).toBe(2);
    feed.stop();
  });

  it('a partial push (one item of a list) is applied but polls keep their pace', async () => {
    const f = fakes({ pollMs: 2000 });
    const feed = f.start();
    await vi.advanceTimersByTimeAsync(1500);
    f.push('capture-a');
    expect(f.pushed).toEqual(['capture-a']);
    expect(f.settled()).toBe(1); // only the fetch settled anything
    await vi.advanceTimersByTimeAsync(500);
    expect(f.fetches()).toBe(2);
    feed.stop();
  });

  it('pollMs null: one fetch, then only pushes and refresh()', async () => {
    const f = fakes({ pollMs: null });
    const feed = f.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.fetches()).toBe(1);
    expect(feed.nextPollMs).toBeNull();
    f.push('late');
    expect(f.pushed).toEqual(['late']);
    await feed.refresh();
    expect(f.fetches()).toBe(2);
    feed.stop();
  });

  it('faster while disconnected when asked; catch-up on reconnect only when asked', async () => {
    const f = fakes({ pollMs: 10_000, disconnectedPollMs: 1000 }, false);
    const feed = f.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(f.fetches()).toBe(4);
    f.setUp(true); // no catchUpOnReconnect: back to 10 s from the last fetch, no extra fetch
    await vi.advanceTimersByTimeAsync(0);
    expect(f.fetches()).toBe(4);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(f.fetches()).toBe(5);
    feed.stop();

    const g = fakes({ pollMs: 10_000, catchUpOnReconnect: true, firstOpenGraceMs: 2000 }, false);
    const other = g.start();
    await vi.advanceTimersByTimeAsync(5000); // no disconnectedPollMs: still every 10 s while down
    expect(g.fetches()).toBe(1);
    g.setUp(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(g.fetches()).toBe(2);
    other.stop();
  });

  it('errors are reported and polling goes on; a fetch that throws becomes an INTERNAL error', async () => {
    const f = fakes({ pollMs: 1000 });
    f.setReply(async () => ({ ok: false, error: { code: 'DOCKER_UNAVAILABLE', message: 'down' } }));
    const feed = f.start();
    await vi.advanceTimersByTimeAsync(0);
    f.setReply(() => Promise.reject(new Error('socket closed')));
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.errors).toEqual([
      { code: 'DOCKER_UNAVAILABLE', message: 'down' },
      { code: 'INTERNAL', message: 'socket closed' },
    ]);
    expect(f.settled()).toBe(2);
    f.setReply(async () => ({ ok: true, result: 9 }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.fetched).toEqual([9]);
    feed.stop();
  });

  it('stop() unsubscribes, cancels the timer, and drops an answer still in flight', async () => {
    const f = fakes({ pollMs: 1000, disconnectedPollMs: 500, catchUpOnReconnect: true });
    let release!: () => void;
    const feed = f.start();
    await vi.advanceTimersByTimeAsync(1000);
    f.setReply(() => new Promise((r) => (release = () => r({ ok: true, result: 99 }))));
    await vi.advanceTimersByTimeAsync(1000);
    expect(f.fetches()).toBe(3);
    feed.stop();
    expect(f.subscribed()).toBe(false);
    expect(f.connListeners.size).toBe(0);
    release();
    f.push('after stop');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(f.fetched).toEqual([1, 2]);
    expect(f.pushed).toEqual([]);
    expect(f.fetches()).toBe(3);
    expect(feed.nextPollMs).toBeNull();
  });
});

describe('useLiveData state transitions', () => {
  const loading: LiveState<number[]> = { data: [], error: null, loading: true };
  const down: ErrorInfo = { code: 'DOCKER_UNAVAILABLE', message: 'down' };
  const append = (prev: number[], n: number) => [...prev, n];

  it('a fetch sets the value, clears the error and ends loading', () => {
    expect(withFetched(loading, [1, 2], replace)).toEqual({ data: [1, 2], error: null, loading: false });
    const failed = withError(loading, down);
    expect(failed).toEqual({ data: [], error: down, loading: false });
    expect(withFetched(failed, [3], replace)).toEqual({ data: [3], error: null, loading: false });
  });

  it('nothing changed: the same state object, so React skips the render', () => {
    const s = withFetched(loading, [1], replace);
    expect(withFetched(s, 7, (prev: number[]) => prev)).toBe(s);
    expect(withPushed(s, 7, (prev: number[]) => prev, true)).toBe(s);
    expect(withPushed(s, 7, (prev: number[]) => prev, false)).toBe(s);
  });

  it('a whole push clears the error and ends loading; one item of a list changes only the value', () => {
    const failed = withError(loading, down);
    expect(withPushed(failed, 5, append, true)).toEqual({ data: [5], error: null, loading: false });
    expect(withPushed(failed, 5, append, false)).toEqual({ data: [5], error: down, loading: false });
    expect(withPushed(loading, 5, append, false)).toEqual({ data: [5], error: null, loading: true });
  });
});

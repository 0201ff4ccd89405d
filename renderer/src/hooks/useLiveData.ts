// The one renderer data hook: a liveFeed (first fetch, pushed events, safety-net polls)
// for as long as the component is mounted, folded into React state by pure functions.
import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import type { ErrorInfo, Result } from '../../../shared/result';
import { startLiveFeed, type LiveFeed, type LiveSource } from './liveFeed';

export interface LiveDataSpec<T, F, E> extends LiveSource<F, E> {
  initial: T;
  /** The value after a fetched answer (`replace` when the answer is the value). */
  fromFetch(prev: T, fetched: F): T;
  /** The value after a pushed event. */
  fromPush?(prev: T, pushed: E): T;
}

export interface LiveState<T> {
  data: T;
  error: ErrorInfo | null;
  /** Until the first answer (or whole push) arrives. */
  loading: boolean;
}

export interface LiveData<T, F> extends LiveState<T> {
  /** Fetch now (Retry); ignored while a fetch is in flight. */
  refresh(): Promise<void>;
  /** Change the value here (this window just stopped or deleted something). */
  update(change: (prev: T) => T): void;
  /** Take the answer of another call that returns the same thing (retryHelper returns a status). */
  accept(r: Result<F>): void;
}

export const replace = <T>(_prev: unknown, next: T): T => next;

// Pure state transitions; each returns the same object when nothing changed, so React skips the render.
export function withFetched<T, F>(s: LiveState<T>, fetched: F, fromFetch: (prev: T, f: F) => T): LiveState<T> {
  const data = fromFetch(s.data, fetched);
  return data === s.data && s.error === null && !s.loading ? s : { data, error: null, loading: false };
}

/** A whole push is fresh data (clears the error, ends loading); one item of a list is not. */
export function withPushed<T, E>(s: LiveState<T>, pushed: E, fromPush: (prev: T, e: E) => T, whole: boolean): LiveState<T> {
  const data = fromPush(s.data, pushed);
  if (whole) return data === s.data && s.error === null && !s.loading ? s : { data, error: null, loading: false };
  return data === s.data ? s : { ...s, data };
}

export function withError<T>(s: LiveState<T>, error: ErrorInfo): LiveState<T> {
  return { ...s, error, loading: false };
}

/**
 * Runs `spec` while mounted and again whenever `deps` change (then starting from
 * `spec.initial`: the old value belonged to something else).
 */
export function useLiveData<T, F, E = never>(spec: LiveDataSpec<T, F, E>, deps: DependencyList): LiveData<T, F> {
  const [state, setState] = useState<LiveState<T>>(() => ({ data: spec.initial, error: null, loading: true }));
  const feed = useRef<LiveFeed | null>(null);
  const fromFetch = useRef(spec.fromFetch);
  const runs = useRef(0);

  useEffect(() => {
    if (runs.current++ > 0) setState({ data: spec.initial, error: null, loading: true });
    fromFetch.current = spec.fromFetch;
    const { fromPush } = spec;
    const f = startLiveFeed(spec, {
      onFetched: (x) => setState((s) => withFetched(s, x, spec.fromFetch)),
      onPushed: fromPush ? (e) => setState((s) => withPushed(s, e, fromPush, Boolean(spec.pushIsWhole))) : undefined,
      onError: (e) => setState((s) => withError(s, e)),
    });
    feed.current = f;
    return () => {
      f.stop();
      feed.current = null;
    };
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps -- the caller names what the spec depends on

  const refresh = useCallback(async () => feed.current?.refresh(), []);
  const update = useCallback((change: (prev: T) => T) => setState((s) => {
    const data = change(s.data);
    return data === s.data ? s : { ...s, data };
  }), []);
  const accept = useCallback((r: Result<F>) => setState((s) => (r.ok ? withFetched(s, r.result, fromFetch.current) : withError(s, r.error))), []);
  return { ...state, refresh, update, accept };
}

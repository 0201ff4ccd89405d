// Debounced validateFilter: the backend compiles the filter (tcpdump -d) so the
// user learns about a typo before pressing Start, not after.
import { useEffect, useState } from 'react';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';

export type FilterState = { kind: 'empty' } | { kind: 'checking' } | { kind: 'valid' } | { kind: 'invalid'; error: ErrorInfo };

export function useFilterValidation(filter: string, delayMs = 350): FilterState {
  const [state, setState] = useState<FilterState>({ kind: 'empty' });
  useEffect(() => {
    const f = filter.trim();
    if (!f) {
      setState({ kind: 'empty' });
      return;
    }
    setState({ kind: 'checking' });
    let alive = true;
    const t = setTimeout(async () => {
      const r = await getApi().call('validateFilter', { filter: f });
      if (!alive) return;
      setState(r.ok ? { kind: 'valid' } : { kind: 'invalid', error: r.error });
    }, delayMs);
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [filter, delayMs]);
  return state;
}

// Debounced validateFilter: the backend compiles the filter (tcpdump -d) so the
// user learns about a typo before pressing Start, not after. The debounce lives in
// a plain object (createFilterValidator) so it is unit-tested with fake timers.
import { useEffect, useRef, useState } from 'react';
import type { ErrorInfo, Result } from '../../../shared/result';
import { getApi } from '../api';

export type FilterState = { kind: 'empty' } | { kind: 'checking' } | { kind: 'valid' } | { kind: 'invalid'; error: ErrorInfo };

export interface FilterValidator {
  /** The text changed: 'checking' now, one backend call after `delayMs` of quiet. */
  set(filter: string): void;
  dispose(): void;
}

/**
 * Only the latest text is ever sent, only after `delayMs` without typing, and an
 * answer for older text (a slow reply overtaken by more typing) is dropped.
 */
export function createFilterValidator(
  validate: (filter: string) => Promise<Result<unknown>>,
  onState: (s: FilterState) => void,
  delayMs = 350,
): FilterValidator {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let seq = 0;
  let disposed = false;
  return {
    set(filter) {
      if (timer) clearTimeout(timer);
      timer = null;
      const mine = ++seq;
      const f = filter.trim();
      if (!f) {
        onState({ kind: 'empty' });
        return;
      }
      onState({ kind: 'checking' });
      timer = setTimeout(async () => {
        timer = null;
        const r = await validate(f);
        if (disposed || mine !== seq) return;
        onState(r.ok ? { kind: 'valid' } : { kind: 'invalid', error: r.error });
      }, delayMs);
    },
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
    },
  };
}

export function useFilterValidation(filter: string, delayMs = 350): FilterState {
  const [state, setState] = useState<FilterState>({ kind: 'empty' });
  const v = useRef<FilterValidator | null>(null);
  useEffect(() => {
    const validator = createFilterValidator((f) => getApi().call('validateFilter', { filter: f }), setState, delayMs);
    v.current = validator;
    return () => validator.dispose();
  }, [delayMs]);
  useEffect(() => {
    v.current?.set(filter);
  }, [filter, delayMs]);
  return state;
}

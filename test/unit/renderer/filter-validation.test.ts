import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFilterValidator, type FilterState } from '../../../renderer/src/panel/useFilterValidation';
import type { Result } from '../../../shared/result';

describe('filter validation debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (answer: (f: string) => Promise<Result<unknown>> = async (f) => (f.includes('bad') ? { ok: false, error: { code: 'BAD_FILTER', message: 'syntax error' } } : { ok: true, result: { valid: true } })) => {
    const calls: string[] = [];
    const states: FilterState[] = [];
    const v = createFilterValidator(
      (f) => {
        calls.push(f);
        return answer(f);
      },
      (s) => states.push(s),
      350,
    );
    return { v, calls, states };
  };

  it('typing quickly sends one request, for the last text, after 350 ms of quiet', async () => {
    const { v, calls, states } = setup();
    for (const t of ['t', 'tc', 'tcp', 'tcp port 80']) {
      v.set(t);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(calls).toEqual([]);
    expect(states.at(-1)).toEqual({ kind: 'checking' });
    await vi.advanceTimersByTimeAsync(249);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['tcp port 80']);
    expect(states.at(-1)).toEqual({ kind: 'valid' });
  });

  it('an invalid filter reports the backend error; empty text is empty at once, no request', async () => {
    const { v, calls, states } = setup();
    v.set('bad(');
    await vi.advanceTimersByTimeAsync(350);
    expect(states.at(-1)).toEqual({ kind: 'invalid', error: { code: 'BAD_FILTER', message: 'syntax error' } });
    v.set('   ');
    expect(states.at(-1)).toEqual({ kind: 'empty' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual(['bad(']);
  });

  it('a slow answer for older text is dropped when the text changed meanwhile', async () => {
    const pending: Array<() => void> = [];
    const { v, states } = setup((f) => new Promise((r) => pending.push(() => r(f === 'bad' ? { ok: false, error: { code: 'BAD_FILTER', message: 'x' } } : { ok: true, result: {} }))));
    v.set('bad');
    await vi.advanceTimersByTimeAsync(350); // request for 'bad' in flight
    v.set('icmp');
    await vi.advanceTimersByTimeAsync(350); // request for 'icmp' in flight
    pending[1]!(); // icmp answers first
    await vi.advanceTimersByTimeAsync(0);
    pending[0]!(); // then the stale 'bad' answer
    await vi.advanceTimersByTimeAsync(0);
    expect(states.at(-1)).toEqual({ kind: 'valid' });
    expect(states.some((s) => s.kind === 'invalid')).toBe(false);
  });

  it('nothing is reported after dispose', async () => {
    const { v, calls, states } = setup();
    v.set('icmp');
    v.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toEqual([]);
    expect(states).toEqual([{ kind: 'checking' }]);
  });
});

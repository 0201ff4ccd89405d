// Captures: listCaptures on load and every 2 s, 'capture' events in between.
import { useCallback, useEffect, useState } from 'react';
import type { CaptureInfo } from '../../../shared/capture';
import type { ErrorInfo } from '../../../shared/result';
import { getApi } from '../api';

export function useCaptures() {
  const [captures, setCaptures] = useState<CaptureInfo[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const reload = useCallback(async () => {
    const r = await getApi().call('listCaptures', {});
    if (r.ok) {
      setCaptures(r.result);
      setError(null);
    } else setError(r.error);
  }, []);

  const upsert = useCallback((c: CaptureInfo) => {
    setCaptures((list) => {
      const i = list.findIndex((x) => x.id === c.id);
      if (i < 0) return [c, ...list];
      const next = list.slice();
      next[i] = c;
      return next;
    });
  }, []);

  const remove = useCallback((id: string) => setCaptures((list) => list.filter((c) => c.id !== id)), []);

  useEffect(() => {
    void reload();
    const off = getApi().on('capture', upsert);
    const t = setInterval(() => void reload(), 2000);
    return () => {
      off();
      clearInterval(t);
    };
  }, [reload, upsert]);

  return { captures, error, reload, upsert, remove };
}

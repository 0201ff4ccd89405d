import { useEffect, useState } from 'react';

/** Follows the OS/browser `prefers-color-scheme`, live. */
export function useColorScheme(): 'light' | 'dark' {
  const q = () => (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const [scheme, setScheme] = useState<'light' | 'dark'>(q);
  useEffect(() => {
    const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
    if (!mq) return;
    const on = () => setScheme(q());
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return scheme;
}

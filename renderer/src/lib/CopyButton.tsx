// Copies a value; says "Copied" for a moment. Falls back to selecting text where
// the clipboard API is unavailable (plain http pages outside localhost).
import { useState } from 'react';

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone('copied');
    } catch {
      setDone('failed');
    }
    setTimeout(() => setDone('idle'), 1500);
  };
  return (
    <button type="button" className="vs-copy" onClick={() => void copy()} aria-label={`Copy ${label}`} title={`Copy ${label}`}>
      {done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}

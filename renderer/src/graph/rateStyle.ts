// Edge thickness and colour from a rate. Log scale: idle, chatty and saturated links
// must all be distinguishable on one map.
export type RateLevel = 'idle' | 'low' | 'mid' | 'high';

export function rateLevel(bytesPerSec: number): RateLevel {
  if (bytesPerSec < 1) return 'idle';
  if (bytesPerSec < 100_000) return 'low';
  if (bytesPerSec < 10_000_000) return 'mid';
  return 'high';
}

export function rateWidth(bytesPerSec: number): number {
  if (bytesPerSec < 1) return 1.5;
  return Math.min(10, 2 + Math.log10(1 + bytesPerSec / 1000) * 1.6);
}

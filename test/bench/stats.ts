// The benches' one statistic: the median (the mean of the middle two for an even count).
// Empty: 0, so a bench with nothing measured prints zeros rather than NaN.
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// The median every bench prints: odd and even counts, unsorted input, nothing measured.
import { describe, expect, it } from 'vitest';
import { median } from '../../bench/stats';

describe('bench median', () => {
  it('is the middle value of an odd count and the mean of the middle two of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
  it('leaves its input as it was, and is 0 for no values', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
    expect(median([])).toBe(0);
  });
});

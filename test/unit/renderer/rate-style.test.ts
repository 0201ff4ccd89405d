import { describe, expect, it } from 'vitest';
import { rateLevel, rateWidth } from '../../../renderer/src/graph/rateStyle';
import { zoomTier, EDGE_LABEL_MIN_ZOOM, NODE_DETAIL_MIN_ZOOM } from '../../../renderer/src/graph/lod';

describe('rate -> edge width', () => {
  it('idle is thin, width grows monotonically with the rate and is capped', () => {
    expect(rateWidth(0)).toBe(1.5);
    const rates = [1, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e11];
    const widths = rates.map(rateWidth);
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeGreaterThanOrEqual(widths[i - 1]!);
    expect(widths.at(-1)).toBe(10);
    expect(Math.max(...widths)).toBeLessThanOrEqual(10);
    // Log scale: chatty and busy links are told apart, not all pinned at the cap.
    expect(rateWidth(1e4)).toBeLessThan(rateWidth(1e6) - 1);
    expect(rateWidth(1e6)).toBeLessThan(10);
  });

  it('levels: idle < 1 B/s, low < 100 kB/s, mid < 10 MB/s, high above', () => {
    expect([0, 0.5, 1, 99_999, 100_000, 9_999_999, 10_000_000].map(rateLevel)).toEqual(['idle', 'idle', 'low', 'low', 'mid', 'mid', 'high']);
  });
});

describe('zoom level of detail', () => {
  it('edge labels only near, node detail down to mid, names only far', () => {
    expect(zoomTier(1)).toBe('near');
    expect(zoomTier(EDGE_LABEL_MIN_ZOOM)).toBe('near');
    expect(zoomTier(EDGE_LABEL_MIN_ZOOM - 0.01)).toBe('mid');
    expect(zoomTier(NODE_DETAIL_MIN_ZOOM)).toBe('mid');
    expect(zoomTier(NODE_DETAIL_MIN_ZOOM - 0.01)).toBe('far');
    expect(zoomTier(0.05)).toBe('far');
  });
});

import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatElapsed } from '../../../renderer/src/lib/format';
import * as units from '../../../shared/units';

describe('renderer text helpers', () => {
  it('formatElapsed: from a start to an end, or to now while running', () => {
    const start = '2026-12-01T10:00:00.000Z';
    expect(formatElapsed(start, '2026-12-01T10:00:04.400Z')).toBe('4 s');
    expect(formatElapsed(start, '2026-12-01T10:02:05.000Z')).toBe('2 min 5 s');
    expect(formatElapsed(start, '2026-12-01T11:03:00.000Z')).toBe('1 h 3 min');
    expect(formatElapsed(start, null, Date.parse('2026-12-01T10:00:59.000Z'))).toBe('59 s');
    expect(formatElapsed(start, '2026-12-01T09:59:58.000Z')).toBe('0 s'); // clocks disagree: never negative
  });

  it('keeps the names SavedCaptures.tsx imports, backed by shared/units', () => {
    expect(formatBytes).toBe(units.formatBytes);
    expect(formatDuration).toBe(formatElapsed);
  });
});

import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../../../electron/front-doors/cli/rate-window';

describe('RateWindow', () => {
  it('averages over its span and keeps one point before it', () => {
    const w = new RateWindow(5000);
    expect(w.rate()).toBeNull();
    w.add(0, 0, 0);
    w.add(1000, 10, 1000);
    expect(w.rate()).toEqual({ packetsPerSec: 10, bytesPerSec: 1000, seconds: 1 });
    for (let t = 2000; t <= 20_000; t += 1000) w.add(t, t / 10, t);
    expect(w.rate()).toEqual({ packetsPerSec: 100, bytesPerSec: 1000, seconds: 5 });
    w.add(20_000, 0, 0); // a repeated time is ignored
    expect(w.rate()?.seconds).toBe(5);
  });
});

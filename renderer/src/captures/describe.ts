// What a capture's end and its gaps mean, in words (the running list and the saved row
// say the same thing). Pure: unit-tested.
import type { CaptureInfo } from '../../../shared/capture';
import { formatDuration } from '../../../shared/units';

type Reason = NonNullable<CaptureInfo['reason']>;

const REASONS: Record<Reason, string> = {
  user: 'stopped by you',
  duration: 'its duration was reached',
  count: 'its packet count was reached',
  size: 'its size limit was reached',
  'target-gone': 'the container stopped or went away',
  'disk-full': 'the disk is full',
  error: 'an error',
  'helper-died': 'the privileged helper exited',
};

/** Why a capture ended, as a sentence fragment: "the container stopped or went away: ...". */
export function endReason(c: Pick<CaptureInfo, 'reason' | 'error'>): string | null {
  if (!c.reason) return null;
  const why = REASONS[c.reason] ?? c.reason;
  return c.error && c.reason !== 'user' ? `${why}: ${c.error.message}` : why;
}

/** Ended by itself, not by the person who started it (worth keeping on screen until seen). */
export const endedByItself = (c: Pick<CaptureInfo, 'reason'>) => c.reason !== null && c.reason !== 'user';

const seconds = (ms: number) => {
  const s = Math.max(0, ms) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : formatDuration(s);
};

/** One gap of a followed container: "restarted, 2.1 s not captured", or while it lasts "restarting: not captured for 1.2 s". */
export function gapText(g: CaptureInfo['gaps'][number], now = Date.now()): string {
  const from = Date.parse(g.from);
  if (g.to === null) return `restarting: not captured for ${seconds(now - from)} so far`;
  return `restarted, ${seconds(Date.parse(g.to) - from)} not captured`;
}

/** The interface part of a label, without the veth in brackets: `web-1/eth0 (veth1a2b)` -> `web-1/eth0`. */
export const shortIface = (label: string) => label.replace(/\s*\([^)]*\)$/, '');

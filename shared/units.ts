// The one number formatter for the UI and the CLI, so both say the same thing about the
// same traffic. Wireshark's and Docker Desktop's conventions: sizes in bytes with SI
// (1000-based) prefixes, traffic rates in bits per second, packet rates in pkt/s.
// Pure, no imports: the renderer and every front door load it.

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];
const BIT_RATE_UNITS = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
const COUNT_SUFFIXES = ['', 'k', 'M', 'G', 'T'];

/** What a number that cannot be shown (NaN, Infinity) shows instead. */
export const NO_VALUE = '—';

/**
 * `value` scaled by 1000 until it fits its unit: one decimal below 100 (dropped when it is
 * ".0"), whole numbers from 100 up and in the base unit. Scales after rounding, so
 * 999 950 B is "1 MB", never "1000 kB".
 */
function scaleSi(value: number, units: readonly string[]): { digits: string; unit: string } {
  const sign = value < 0 ? '-' : '';
  let v = Math.abs(value);
  let u = 0;
  for (;;) {
    const digits = u === 0 || v >= 100 ? String(Math.round(v)) : v.toFixed(1).replace(/\.0$/, '');
    if (Number(digits) < 1000 || u === units.length - 1) return { digits: digits === '0' ? '0' : sign + digits, unit: units[u]! };
    v /= 1000;
    u++;
  }
}

/** A size: "999 B", "1 kB", "1.5 MB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return NO_VALUE;
  const { digits, unit } = scaleSi(bytes, BYTE_UNITS);
  return `${digits} ${unit}`;
}

/** A traffic rate given in bytes per second, shown in bits per second (how link speeds are read): "8 bit/s", "1.2 Mbit/s". */
export function formatBitRate(bytesPerSec: number): string {
  if (!Number.isFinite(bytesPerSec)) return NO_VALUE;
  // A counter that went back is a reset, not negative traffic.
  const { digits, unit } = scaleSi(Math.max(0, bytesPerSec) * 8, BIT_RATE_UNITS);
  return `${digits} ${unit}`;
}

/** A count where the exact value does not matter: "999", "1k", "12.3k", "1.5M". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return NO_VALUE;
  const { digits, unit } = scaleSi(Math.max(0, n), COUNT_SUFFIXES);
  return digits + unit;
}

/** Packets per second: "3 pkt/s", "1.5k pkt/s". */
export function formatPacketRate(packetsPerSec: number): string {
  if (!Number.isFinite(packetsPerSec)) return NO_VALUE;
  return `${formatCount(packetsPerSec)} pkt/s`;
}

/**
 * A duration as a person says it, to the second below an hour: "4 s", "2 min 5 s", "2 min",
 * "1 h 3 min", "2 d 5 h". Zero parts at the end are left out.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return NO_VALUE;
  const s = Math.max(0, Math.round(seconds));
  const parts =
    s < 60
      ? [[s, 's']]
      : s < 3600
        ? [[Math.floor(s / 60), 'min'], [s % 60, 's']]
        : s < 86_400
          ? [[Math.floor(s / 3600), 'h'], [Math.floor((s % 3600) / 60), 'min']]
          : [[Math.floor(s / 86_400), 'd'], [Math.floor((s % 86_400) / 3600), 'h']];
  const [first, ...rest] = parts as Array<[number, string]>;
  return [first!, ...rest.filter(([n]) => n > 0)].map(([n, unit]) => `${n} ${unit}`).join(' ');
}

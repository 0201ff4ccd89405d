// Address formatting as Wireshark prints it with name resolution off.

export function mac(b: Buffer, off: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + (b[off + i] ?? 0).toString(16).padStart(2, '0');
  return s;
}

export function ipv4(b: Buffer, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952: lowercase, longest run (>= 2) of zero groups as `::`, the first such run on a tie. */
export function ipv6(b: Buffer, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(off + 2 * i));
  // IPv4-mapped addresses keep their dotted tail, as Wireshark shows them.
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${ipv4(b, off + 12)}`;
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

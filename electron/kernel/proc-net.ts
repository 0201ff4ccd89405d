// Parsers for /proc/PID/net/* files: they always describe the network namespace
// of PID, whatever its mount namespace, so they validate and complete what the
// container's own sysfs says. Pure functions over file text.

/** Interface names in /proc/PID/net/dev. */
export function parseNetDevNames(text: string): string[] {
  return text
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]!.trim())
    .filter(Boolean);
}

/** ifindex -> name from /proc/PID/net/igmp (interfaces that are up with IPv4). */
export function parseIgmpIndexes(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^(\d+)\s+(\S+)\s*:/.exec(line);
    if (m) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

const parseIpv4 = (s: string) => s.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
/** /proc/net/route prints addresses as host-order (little-endian) hex. */
const routeHex = (h: string) => (parseInt(h.slice(6, 8) + h.slice(4, 6) + h.slice(2, 4) + h.slice(0, 2), 16) >>> 0);
const maskLen = (m: number) => (m === 0 ? 0 : 32 - Math.log2((~m >>> 0) + 1));

export interface ConnectedRoute {
  iface: string;
  net: number;
  prefix: number;
}

/** On-link routes (no gateway) from /proc/PID/net/route: the subnets each interface's addresses live in. */
export function parseConnectedRoutes(text: string): ConnectedRoute[] {
  const out: ConnectedRoute[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const [iface, dest, gw, flags, , , , mask] = f as [string, string, string, string, string, string, string, string];
    const RTF_GATEWAY = 0x2;
    if (parseInt(flags, 16) & RTF_GATEWAY || routeHex(gw) !== 0) continue;
    out.push({ iface, net: routeHex(dest), prefix: maskLen(routeHex(mask)) });
  }
  return out;
}

/** Local IPv4 addresses (`/32 host LOCAL` leaves) and the host-scope prefixes (127.0.0.0/8) in /proc/PID/net/fib_trie. */
export function parseFibTrieLocals(text: string): { locals: string[]; hostPrefixes: Array<{ net: number; prefix: number }> } {
  const locals = new Set<string>();
  const hostPrefixes: Array<{ net: number; prefix: number }> = [];
  let leaf: string | null = null;
  for (const line of text.split('\n')) {
    const l = /^\s*\|-- (\d+\.\d+\.\d+\.\d+)$/.exec(line);
    if (l) {
      leaf = l[1]!;
      continue;
    }
    const r = /^\s*\/(\d+) host LOCAL$/.exec(line);
    if (r && leaf) {
      const prefix = Number(r[1]);
      if (prefix === 32) locals.add(leaf);
      else if (!hostPrefixes.some((h) => h.net === parseIpv4(leaf!) && h.prefix === prefix)) hostPrefixes.push({ net: parseIpv4(leaf), prefix });
    }
  }
  return { locals: [...locals], hostPrefixes };
}

const inNet = (a: number, net: number, prefix: number) => prefix === 0 || a >>> (32 - prefix) === net >>> (32 - prefix);

/**
 * IPv4 CIDRs per interface: each local address goes to the interface whose on-link
 * route holds it (longest prefix). Returns null when any address cannot be placed
 * with certainty: the caller then asks `ip` instead of guessing.
 */
export function assignIpv4(fibTrie: string, route: string, loopbacks: string[]): Map<string, string[]> | null {
  const { locals, hostPrefixes } = parseFibTrieLocals(fibTrie);
  const routes = parseConnectedRoutes(route);
  const out = new Map<string, string[]>();
  const add = (iface: string, cidr: string) => out.set(iface, [...(out.get(iface) ?? []), cidr]);
  for (const addr of locals) {
    const a = parseIpv4(addr);
    const hostScope = hostPrefixes.filter((h) => inNet(a, h.net, h.prefix)).sort((x, y) => y.prefix - x.prefix)[0];
    if (hostScope && loopbacks.length === 1) {
      add(loopbacks[0]!, `${addr}/${hostScope.prefix}`);
      continue;
    }
    const matches = routes.filter((r) => inNet(a, r.net, r.prefix));
    const best = Math.max(-1, ...matches.map((r) => r.prefix));
    const owners = new Set(matches.filter((r) => r.prefix === best).map((r) => r.iface));
    if (owners.size !== 1) return null;
    add([...owners][0]!, `${addr}/${best}`);
  }
  return out;
}

/** IPv6 CIDRs per interface from /proc/PID/net/if_inet6 (exact: it names the interface). */
export function parseIfInet6(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6 || f[0]!.length !== 32) continue;
    const groups = f[0]!.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
    const cidr = `${compressIpv6(groups)}/${parseInt(f[2]!, 16)}`;
    out.set(f[5]!, [...(out.get(f[5]!) ?? []), cidr]);
  }
  return out;
}

/** RFC 5952 text form: the longest run (>= 2) of zero groups becomes "::". */
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

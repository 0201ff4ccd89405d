import { describe, expect, it } from 'vitest';
import { assignIpv4, parseConnectedRoutes, parseIfInet6, parseIgmpIndexes, parseNetDevNames } from '../../../electron/kernel/proc-net';

// Captured from a Docker container on the default bridge (10.213.0.2/24).
const FIB_TRIE = `Main:
  +-- 0.0.0.0/1 2 0 2
     +-- 0.0.0.0/4 2 0 2
        |-- 0.0.0.0
           /0 universe UNICAST
        +-- 10.213.0.0/24 2 0 2
           +-- 10.213.0.0/30 2 0 2
              |-- 10.213.0.0
                 /24 link UNICAST
              |-- 10.213.0.2
                 /32 host LOCAL
           |-- 10.213.0.255
              /32 link BROADCAST
     +-- 127.0.0.0/8 2 0 2
        +-- 127.0.0.0/31 1 0 0
           |-- 127.0.0.0
              /8 host LOCAL
           |-- 127.0.0.1
              /32 host LOCAL
        |-- 127.255.255.255
           /32 link BROADCAST
Local:
  +-- 0.0.0.0/1 2 0 2
              |-- 10.213.0.2
                 /32 host LOCAL
`;
const ROUTE = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t00000000\t0100D50A\t0003\t0\t0\t0\t00000000\t0\t0\t0
eth0\t0000D50A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;
const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0
  eth0:     726       9    0    0    0     0          0         0        0       0    0    0    0     0       0          0
`;
const IGMP = `Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter
1\tlo        :     1      V3
\t\t\t\t010000E0     1 0:00000000\t\t0
334\teth0      :     1      V3
\t\t\t\t010000E0     1 0:00000000\t\t0
`;
const IF_INET6 = `00000000000000000000000000000001 01 80 10 80       lo
fe8000000000000000fc00fffe000001 02 40 20 80     eth0
fd000000000000000000000000000002 02 40 00 80     eth0
`;

describe('/proc/PID/net parsers', () => {
  it('reads interface names from net/dev and indexes from igmp', () => {
    expect(parseNetDevNames(NET_DEV)).toEqual(['lo', 'eth0']);
    expect([...parseIgmpIndexes(IGMP)]).toEqual([[1, 'lo'], [334, 'eth0']]);
  });

  it('keeps only on-link routes, with their prefix lengths', () => {
    expect(parseConnectedRoutes(ROUTE)).toEqual([{ iface: 'eth0', net: 0x0ad50000, prefix: 24 }]);
  });

  it('places each local IPv4 address on the interface whose on-link route holds it', () => {
    expect(Object.fromEntries(assignIpv4(FIB_TRIE, ROUTE, ['lo'])!)).toEqual({ eth0: ['10.213.0.2/24'], lo: ['127.0.0.1/8'] });
  });

  it('refuses to guess when an address has no on-link route, or two interfaces share the subnet', () => {
    expect(assignIpv4(FIB_TRIE, ROUTE.split('\n')[0]!, ['lo'])).toBeNull();
    const twice = `${ROUTE}eth1\t0000D50A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n`;
    expect(assignIpv4(FIB_TRIE, twice, ['lo'])).toBeNull();
  });

  it('prints IPv6 addresses compressed, per interface', () => {
    expect(Object.fromEntries(parseIfInet6(IF_INET6))).toEqual({ lo: ['::1/128'], eth0: ['fe80::fc:ff:fe00:1/64', 'fd00::2/64'] });
  });
});

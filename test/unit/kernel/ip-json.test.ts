import { describe, expect, it } from 'vitest';
import { parseIpAddrJson } from '../../../electron/kernel/ip-json';

describe('parseIpAddrJson', () => {
  it('maps linkinfo kinds and link types onto our kinds', () => {
    const entries = [
      { ifindex: 1, ifname: 'lo', link_type: 'loopback' },
      { ifindex: 2, ifname: 'eth0', link_type: 'ether' },
      { ifindex: 3, ifname: 'br0', link_type: 'ether', linkinfo: { info_kind: 'bridge' } },
      { ifindex: 4, ifname: 'v0', link_type: 'ether', link_index: 5, link_netnsid: 1, master: 'br0', linkinfo: { info_kind: 'veth' } },
      { ifindex: 6, ifname: 'mv', link_type: 'ether', link_index: 2, linkinfo: { info_kind: 'macvlan' } },
      { ifindex: 7, ifname: 'mvt', link_type: 'ether', link_index: 2, linkinfo: { info_kind: 'macvtap' } },
      { ifindex: 8, ifname: 'iv', link_type: 'ether', link_index: 2, linkinfo: { info_kind: 'ipvlan' } },
      { ifindex: 9, ifname: 'vx', link_type: 'ether', linkinfo: { info_kind: 'vxlan' } },
      { ifindex: 10, ifname: 'tun0', link_type: 'none', linkinfo: { info_kind: 'tun' } },
      { ifindex: 11, ifname: 'tunold', link_type: 'none' },
      { ifindex: 12, ifname: 'ifb0', link_type: 'ether', linkinfo: { info_kind: 'ifb' } },
      { ifindex: 13, ifname: 'sit0', link_type: 'sit' },
    ];
    const kinds = Object.fromEntries(parseIpAddrJson(JSON.stringify(entries)).map((l) => [l.name, l.kind]));
    expect(kinds).toEqual({ lo: 'loopback', eth0: 'physical', br0: 'bridge', v0: 'veth', mv: 'macvlan', mvt: 'macvlan', iv: 'ipvlan', vx: 'vxlan', tun0: 'tun', tunold: 'tun', ifb0: 'other', sit0: 'other' });
  });

  it('keeps link index, netnsid, master, state and CIDR addresses', () => {
    const [l] = parseIpAddrJson(
      JSON.stringify([
        {
          ifindex: 4, ifname: 'v0', link_index: 5, link_netnsid: 1, master: 'br0', address: '02:42:ac:11:00:02', mtu: 1500, operstate: 'UP',
          linkinfo: { info_kind: 'veth' },
          addr_info: [{ family: 'inet', local: '10.0.0.2', prefixlen: 24 }, { family: 'inet6', local: 'fe80::1', prefixlen: 64 }, { family: 'inet' }],
        },
      ]),
    );
    expect(l).toEqual({ ifindex: 4, name: 'v0', kind: 'veth', rawKind: 'veth', mac: '02:42:ac:11:00:02', mtu: 1500, state: 'UP', addresses: ['10.0.0.2/24', 'fe80::1/64'], master: 'br0', linkIndex: 5, linkNetnsid: 1 });
  });

  it('skips entries without index or name, accepts empty output, rejects non-arrays', () => {
    expect(parseIpAddrJson(JSON.stringify([{ ifname: 'x' }, { ifindex: 3 }]))).toEqual([]);
    expect(parseIpAddrJson('')).toEqual([]);
    expect(() => parseIpAddrJson('{}')).toThrow(/array/);
  });
});

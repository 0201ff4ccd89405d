// Synthetic packets covering every decoder path, each with the link type it is captured on.
import * as P from './packets';

export interface Case {
  name: string;
  linkType: number;
  data: Buffer;
  /** Wire length when `data` is a snaplen cut. */
  origLen?: number;
}

const A = '10.250.0.1';
const B = '10.250.0.2';
const A6 = 'fd0e::1';
const B6 = 'fd0e::2';
const v4 = (proto: number, payload: Buffer, opts = {}) => P.eth(0x0800, P.ipv4(A, B, proto, payload, opts));
const v6 = (nh: number, payload: Buffer, opts = {}) => P.eth(0x86dd, P.ipv6(A6, B6, nh, payload, opts));
const syn = P.tcp(40001, 80, P.TCP.SYN, { seq: 123456, options: P.LINUX_SYN_OPTIONS });
const query = P.dns(0x1a2b, { qname: 'example.test', qtype: 1 });
const answer = P.dns(0x1a2b, { response: true, qname: 'example.test', qtype: 1, answers: [{ type: 1, rdata: P.ip4b('10.250.0.9') }, { type: 1, rdata: P.ip4b('10.250.0.10') }] });

export const CASES: Case[] = [
  { name: 'arp request', linkType: 1, data: P.eth(0x0806, P.arp(1, P.MAC_A, A, '00:00:00:00:00:00', B), { dst: 'ff:ff:ff:ff:ff:ff' }) },
  { name: 'arp reply', linkType: 1, data: P.eth(0x0806, P.arp(2, P.MAC_B, B, P.MAC_A, A)) },
  { name: 'arp announcement', linkType: 1, data: P.eth(0x0806, P.arp(1, P.MAC_A, A, '00:00:00:00:00:00', A), { dst: 'ff:ff:ff:ff:ff:ff' }) },
  { name: 'arp probe', linkType: 1, data: P.eth(0x0806, P.arp(1, P.MAC_A, '0.0.0.0', '00:00:00:00:00:00', A), { dst: 'ff:ff:ff:ff:ff:ff' }) },
  { name: 'icmp echo request', linkType: 1, data: v4(1, P.icmpEcho(true, 0x1c2d, 1)) },
  { name: 'icmp echo reply', linkType: 1, data: v4(1, P.icmpEcho(false, 0x1c2d, 258), { ttl: 63 }) },
  { name: 'icmp port unreachable', linkType: 1, data: v4(1, Buffer.concat([Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]), P.ipv4(B, A, 17, P.udp(5000, 47001, Buffer.alloc(4)))])) },
  { name: 'tcp syn with options', linkType: 1, data: v4(6, syn) },
  { name: 'tcp syn-ack', linkType: 1, data: v4(6, P.tcp(80, 40001, P.TCP.SYN | P.TCP.ACK, { seq: 777, ack: 123457, win: 65160, options: P.LINUX_SYN_OPTIONS })) },
  { name: 'tcp psh-ack with data', linkType: 1, data: v4(6, P.tcp(40001, 80, P.TCP.PSH | P.TCP.ACK, { seq: 123457, ack: 778, win: 502, payload: Buffer.from('GET / HTTP/1.0\r\n\r\n'.replace('GET', 'XYZ')) })) },
  { name: 'tcp fin-ack', linkType: 1, data: v4(6, P.tcp(40001, 80, P.TCP.FIN | P.TCP.ACK, { seq: 5, ack: 6 })) },
  { name: 'tcp rst', linkType: 1, data: v4(6, P.tcp(80, 40001, P.TCP.RST, { seq: 9, win: 0 })) },
  { name: 'tcp syn ece cwr', linkType: 1, data: v4(6, P.tcp(40001, 80, P.TCP.SYN | P.TCP.ECE | P.TCP.CWR, { seq: 1 })) },
  { name: 'udp', linkType: 1, data: v4(17, P.udp(40002, 47001, Buffer.from('hello udp'))) },
  { name: 'dns query', linkType: 1, data: v4(17, P.udp(40003, 53, query)) },
  { name: 'dns response', linkType: 1, data: P.eth(0x0800, P.ipv4(B, A, 17, P.udp(53, 40003, answer))) },
  { name: 'dns nxdomain', linkType: 1, data: P.eth(0x0800, P.ipv4(B, A, 17, P.udp(53, 40003, P.dns(0xbeef, { response: true, rcode: 3, qname: 'nope.test', qtype: 28 })))) },
  { name: 'dns aaaa query', linkType: 1, data: v4(17, P.udp(40004, 53, P.dns(0x0001, { qname: 'db.svc.test', qtype: 28 }))) },
  { name: 'vlan tagged udp', linkType: 1, data: P.eth(0x0800, P.ipv4(A, B, 17, P.udp(40005, 47001, Buffer.alloc(3))), { vlan: [100] }) },
  { name: 'qinq tagged icmp', linkType: 1, data: P.eth(0x0800, P.ipv4(A, B, 1, P.icmpEcho(true, 7, 1)), { vlan: [10, 20] }) },
  { name: 'ipv4 fragment', linkType: 1, data: v4(17, Buffer.alloc(100), { frag: 185, id: 0xb9c2 }) },
  { name: 'icmpv6 echo request', linkType: 1, data: v6(58, P.icmpEcho(true, 0x55, 3, true)) },
  { name: 'icmpv6 echo reply', linkType: 1, data: v6(58, P.icmpEcho(false, 0x55, 3, true), { hop: 63 }) },
  { name: 'icmpv6 neighbor solicitation', linkType: 1, data: P.eth(0x86dd, P.ipv6(A6, 'ff02::1:ff00:2', 58, P.ndp(135, B6, P.MAC_A), { hop: 255 })) },
  { name: 'icmpv6 neighbor advertisement', linkType: 1, data: P.eth(0x86dd, P.ipv6(B6, A6, 58, P.ndp(136, B6, P.MAC_B, 0x60), { hop: 255 })) },
  { name: 'icmpv6 router solicitation', linkType: 1, data: P.eth(0x86dd, P.ipv6('fe80::aa:ff:fe00:1', 'ff02::2', 58, P.ndp(133, null, P.MAC_A), { hop: 255 })) },
  { name: 'ipv6 hop-by-hop + dest opts + tcp', linkType: 1, data: v6(6, P.tcp(40006, 443, P.TCP.ACK, { seq: 1, ack: 2 }), { ext: [[0, Buffer.from([1, 4, 0, 0, 0, 0])], [60, Buffer.from([1, 4, 0, 0, 0, 0])]] }) },
  { name: 'ipv6 udp dns', linkType: 1, data: v6(17, P.udp(40007, 53, query)) },
  { name: 'sll udp', linkType: 113, data: P.sll(0x0800, P.ipv4(A, B, 17, P.udp(40008, 47001, Buffer.alloc(10)))) },
  { name: 'sll arp', linkType: 113, data: P.sll(0x0806, P.arp(1, P.MAC_A, A, '00:00:00:00:00:00', B)) },
  { name: 'sll2 tcp', linkType: 276, data: P.sll2(0x0800, P.ipv4(A, B, 6, P.tcp(40009, 22, P.TCP.SYN, { seq: 5 }))) },
  { name: 'sll2 icmpv6', linkType: 276, data: P.sll2(0x86dd, P.ipv6(A6, B6, 58, P.icmpEcho(true, 1, 1, true))) },
  { name: 'raw ipv4 dns', linkType: 101, data: P.ipv4(A, B, 17, P.udp(40010, 53, query)) },
  { name: 'raw ipv6 tcp', linkType: 101, data: P.ipv6(A6, B6, 6, P.tcp(40011, 80, P.TCP.SYN | P.TCP.ACK, { seq: 1, ack: 1 })) },
];

/** Snaplen cuts of real packets: each must still summarize, without throwing. */
const cut = (c: Case, len: number): Case => ({ name: `${c.name} cut at ${len}`, linkType: c.linkType, data: c.data.subarray(0, len), origLen: c.data.length });
const byName = (n: string) => CASES.find((c) => c.name === n)!;
export const CUT_CASES: Case[] = [
  cut(byName('tcp syn with options'), 14 + 20 + 20), // TCP header but options cut
  cut(byName('dns response'), 14 + 20 + 8 + 12 + 5), // DNS header, question cut
  cut(byName('arp request'), 20),
  cut(byName('icmp echo request'), 14 + 20 + 4),
];

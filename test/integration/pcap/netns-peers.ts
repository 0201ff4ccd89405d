// Two network namespaces joined by a veth, private to one test run, and the
// small node programs that make traffic between them. Traffic never leaves
// the pair: 10.250.0.0/30 and fd0e::/64 exist only on this veth.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

const sfx = (process.pid % 1_000_000).toString(36);
export const NS_A = `vsp-pcap-a-${sfx}`;
export const NS_B = `vsp-pcap-b-${sfx}`;
export const VETH_A = `vspa${sfx}`;
export const VETH_B = `vspb${sfx}`;
export const IP_A = '10.250.0.1';
export const IP_B = '10.250.0.2';
export const IP6_A = 'fd0e::1';
export const IP6_B = 'fd0e::2';

const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 20_000 });
export const inNs = (ns: string, ...argv: string[]) => run('ip', 'netns', 'exec', ns, ...argv);

export function createPeers(): void {
  destroyPeers();
  run('ip', 'netns', 'add', NS_A);
  run('ip', 'netns', 'add', NS_B);
  run('ip', 'link', 'add', VETH_A, 'netns', NS_A, 'type', 'veth', 'peer', 'name', VETH_B, 'netns', NS_B);
  for (const [ns, dev, v4, v6] of [[NS_A, VETH_A, IP_A, IP6_A], [NS_B, VETH_B, IP_B, IP6_B]] as const) {
    inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
    inNs(ns, 'ip', 'addr', 'add', `${v4}/30`, 'dev', dev);
    inNs(ns, 'ip', '-6', 'addr', 'add', `${v6}/64`, 'dev', dev, 'nodad');
    inNs(ns, 'ip', 'link', 'set', dev, 'up');
  }
}

/** Removing the namespaces removes the veth with them. Safe to call twice. */
export function destroyPeers(): void {
  for (const ns of [NS_A, NS_B]) {
    try {
      run('ip', 'netns', 'del', ns);
    } catch {
      // not there: nothing to clean
    }
  }
}

/** Start a node program inside a namespace; it must end by itself (each script has its own deadline). */
export function nodeInNs(ns: string, script: string): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Answers DNS queries on UDP/53 with one A record, echoes TCP on 47002; exits after 15 s at most. */
export const SERVER_SCRIPT = `
const dgram = require('node:dgram'), net = require('node:net');
const u = dgram.createSocket('udp4');
u.on('message', (q, r) => {
  let p = 12; while (q[p]) p += q[p] + 1; p += 5;
  const h = Buffer.from(q.subarray(0, p)); h.writeUInt16BE(0x8180, 2); h.writeUInt16BE(1, 6);
  const a = Buffer.from('c00c000100010000012c0004' + '0afa0009', 'hex');
  u.send(Buffer.concat([h, a]), r.port, r.address);
});
u.bind(53, '${IP_B}');
const t = net.createServer((s) => s.on('data', (d) => s.end(d))).listen(47002, '${IP_B}', () => console.log('ready'));
setTimeout(() => process.exit(0), 15000).unref();
setTimeout(() => { u.close(); t.close(); }, 15000);
`;

/** One DNS query, one UDP datagram to a closed port (ICMP unreachable back), one TCP exchange. */
export const CLIENT_SCRIPT = `
const dgram = require('node:dgram'), net = require('node:net');
const deadline = setTimeout(() => process.exit(2), 8000);
const u = dgram.createSocket('udp4');
const q = Buffer.from('1a2b01000001000000000000076578616d706c65047465737400' + '00010001', 'hex');
u.on('message', () => {
  u.send(Buffer.from('hello udp'), 47001, '${IP_B}', () => {
    const s = net.connect(47002, '${IP_B}', () => s.write('hello tcp'));
    s.on('data', () => s.end());
    s.on('close', () => setTimeout(() => { u.close(); clearTimeout(deadline); console.log('done'); }, 300));
  });
});
u.send(q, 53, '${IP_B}');
`;

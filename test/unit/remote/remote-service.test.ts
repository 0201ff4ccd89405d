// The host list: one slow host never holds up another; each host's status says what happened.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Backend } from '../../../electron/backend/backend';
import type { HostAddress } from '../../../electron/backend/remote/host-url';
import { RemoteService } from '../../../electron/backend/remote/remote-service';
import type { RemoteTransport } from '../../../electron/backend/remote/transport';
import type { HostTopology } from '../../../shared/api';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const HOST = 4026531840;
const discovery = (name: string) =>
  ['vethscope-discovery 1', 'uid 0', `hostname ${b64(name)}`, `hostns ${HOST}`, `pids ${b64(`${HOST} 1\n`)}`, `links ${HOST} 1 ${b64(JSON.stringify([{ ifindex: 1, ifname: 'lo', link_type: 'loopback' }]))}`, `dockerps ${b64('')}`, `networks ${b64('')}`, 'vethscope-end', 'vethscope-done'].join('\n');

/** "Remote" hosts that are local shells: `fast` answers each request at once, `slow` never answers, `dead` is refused. */
function transportFor(a: HostAddress): RemoteTransport {
  const answer = a.host === 'fast' ? `while read -r req; do cat <<'EOF'\n${discovery('fast')}\nEOF\ndone` : a.host === 'slow' ? 'while read -r req; do read -r never; done' : `read -r req; echo 'ssh: connect to host dead port 22: Connection refused' >&2; exit 255`;
  return {
    address: a,
    run: async () => ({ code: 0, signal: null, stdout: 'uid 0\nhelper no\nroot yes\n', stderr: '' }),
    spawn: () => spawn('sh', ['-c', answer], { stdio: ['pipe', 'pipe', 'pipe'] }),
    spawnConstant: () => spawn('true'),
    close: async () => undefined,
  };
}

describe('RemoteService', () => {
  it('a slow host and a dead one do not hold up the fast one: each host is pushed when its own refresh ends', async () => {
    const backend = new Backend();
    const svc = new RemoteService({ hosts: ['slow', 'fast', 'dead'], transport: transportFor, timeoutMs: 60_000 });
    svc.register(backend);
    const pushes: HostTopology[][] = [];
    const seen = new Promise<void>((resolve) => {
      const off = backend.on('hosts', (h) => {
        pushes.push(h);
        if (h.find((x) => x.host.id === 'fast')?.host.state === 'reachable' && h.find((x) => x.host.id === 'dead')?.host.state === 'unreachable') {
          off();
          resolve();
        }
      });
    });
    await seen;
    const last = pushes[pushes.length - 1]!;
    expect(last.map((h) => [h.host.id, h.host.state])).toEqual([
      ['slow', 'connecting'],
      ['fast', 'reachable'],
      ['dead', 'unreachable'],
    ]);
    expect(last[1]!.topology!.namespaces[0]!.isHost).toBe(true);
    expect(last[2]!.host.lastError).toEqual({ code: 'HELPER_UNAVAILABLE', message: 'dead: it cannot be reached over SSH (ssh: connect to host dead port 22: Connection refused)' });
    expect(last[2]!.host.retryAt).not.toBeNull();
    const listed = await backend.call('listHosts', {});
    expect(listed.ok && listed.result.map((h) => h.id)).toEqual(['local', 'slow', 'fast', 'dead']);
    await backend.close();
  });
});

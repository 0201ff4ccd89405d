// `vethscope topology [--json]` and `vethscope veth CONTAINER`.
import type { Backend } from '../../backend/backend';
import { renderTree } from './tree';
import { CliExit, EXIT_USAGE, type CliIo } from './io';

import { TOPOLOGY_USAGE } from './usage';
export { TOPOLOGY_USAGE };
import { VETH_USAGE } from './usage';
export { VETH_USAGE };

export async function topologyCommand(backend: Backend, args: { json: boolean }, io: CliIo): Promise<void> {
  const res = await backend.call('getTopology', {});
  if (!res.ok) throw new CliExit(1, `topology: ${res.error.message}`);
  io.out(args.json ? JSON.stringify(res.result, null, 2) : renderTree(res.result));
}

export async function vethCommand(backend: Backend, query: string | undefined, io: CliIo): Promise<void> {
  if (!query) throw new CliExit(EXIT_USAGE, VETH_USAGE);
  const found = await backend.call('findContainer', { query });
  if (!found.ok) throw new CliExit(found.error.code === 'NOT_FOUND' || found.error.code === 'AMBIGUOUS' ? EXIT_USAGE : 1, `veth: ${found.error.message}`);
  const c = found.result;
  if (c.state !== 'running') throw new CliExit(1, `veth: container ${c.name} is ${c.state}, it has no interfaces`);
  if (c.netns === null) throw new CliExit(1, `veth: ${c.name} (${c.engine}): its network namespace can be read only with root and the privileged helper is not available (sudo vethscope install-helper, or run vethscope with sudo)`);
  const hostIfaces = c.interfaces.filter((i) => i.hostPeer).map((i) => i.hostPeer!);
  if (hostIfaces.length === 0) {
    const why =
      c.hostNetwork
        ? 'it uses the host network: capture on host interfaces'
        : c.interfaces.some((i) => i.parent)
          ? `it has no veth (${c.interfaces.filter((i) => i.parent).map((i) => `${i.name} is ${i.kind}`).join(', ')}): capture inside its namespace`
          : noHostPeer(c.interfaces, c.user !== null);
    throw new CliExit(1, `veth: ${c.name}: ${why}`);
  }
  io.out(hostIfaces.join('\n'));
}

/** Why no interface reaches the host: slirp4netns' tap (rootless), a peer in another namespace (Podman's rootless-netns). */
function noHostPeer(ifaces: Array<{ name: string; kind: string; peer: { netns: number; name: string } | null }>, rootless: boolean): string {
  const tap = ifaces.find((i) => i.kind === 'tun');
  if (tap && rootless) return `${tap.name} is slirp4netns' tap (rootless user-mode networking): it has no host-side peer; capture it inside: vethscope capture CONTAINER`;
  const elsewhere = ifaces.find((i) => i.peer);
  if (elsewhere) return `${elsewhere.name}'s peer ${elsewhere.peer!.name} is in namespace ${elsewhere.peer!.netns}, not on the host (a rootless network's namespace): capture inside: vethscope capture CONTAINER`;
  return 'it has no interface with a host-side peer';
}

// `vethscope topology [--json]` and `vethscope veth CONTAINER`.
import type { Backend } from '../../backend/backend';
import { renderTree } from './tree';
import { CliExit, EXIT_USAGE, type CliIo } from './io';

export const TOPOLOGY_USAGE = 'usage: vethscope topology [--json]   (--json: the model, docs/topology-schema.md)';
export const VETH_USAGE = `usage: vethscope veth CONTAINER
prints the host-side interface of each of the container's veths, one a line
CONTAINER: a name, an id prefix, a compose service (web), or part of a name (web-1 finds nb_web_1)`;

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
  const hostIfaces = c.interfaces.filter((i) => i.hostPeer).map((i) => i.hostPeer!);
  if (hostIfaces.length === 0) {
    const why =
      c.hostNetwork
        ? 'it uses the host network: capture on host interfaces'
        : c.interfaces.some((i) => i.parent)
          ? `it has no veth (${c.interfaces.filter((i) => i.parent).map((i) => `${i.name} is ${i.kind}`).join(', ')}): capture inside its namespace`
          : 'it has no interface with a host-side peer';
    throw new CliExit(1, `veth: ${c.name}: ${why}`);
  }
  io.out(hostIfaces.join('\n'));
}

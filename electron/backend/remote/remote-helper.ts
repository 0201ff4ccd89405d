// When vethscope's helper is installed on the remote (/usr/lib/vethscope/vethscope-helper),
// discovery asks it, over one long-lived ssh channel, with the same HelperClient and
// protocol as the local helper: its namespace scan (sysfs fast path included), Docker's
// containers, and counters, each validated by the protocol's schemas. Captures still run the
// fixed CAPTURE script: the helper's tcpdumps write to files or FIFOs on its own host.
import type { spawn as nodeSpawn } from 'node:child_process';
import type { NamespaceScan } from '../../../shared/helper-protocol';
import type { DockerListing } from '../../engines/docker';
import type { Counters } from '../../kernel/proc-net-dev';
import { entryPath } from '../../kernel/namespaces';
import { HelperClient } from '../helper-client/helper-client';
import { RUN_HELPER } from './remote-scripts';
import type { RemoteTransport } from './transport';

export interface HelperDiscovery {
  uid: number;
  scan: NamespaceScan;
  listing: DockerListing;
  counters: Map<number, Map<string, Counters>>;
}

/** A HelperClient whose helper is the remote's installed one (the local launch plan is only a formality: its argv is not used). */
export function remoteHelperClient(transport: RemoteTransport): HelperClient {
  const spawn = (() => transport.spawnConstant(RUN_HELPER)) as unknown as typeof nodeSpawn;
  return new HelperClient({ elevation: 'root', helperPath: process.execPath, spawn, helloTimeoutMs: 20_000 });
}

const SOCKET = '/run/docker.sock';

export async function discoverWithHelper(helper: HelperClient, endpoint: string): Promise<HelperDiscovery> {
  await helper.start();
  const [scan, docker] = await Promise.all([
    helper.request('scanNamespaces', {}),
    helper.request('listContainers', { socket: SOCKET }).then(
      (containers) => ({ status: { available: true, endpoint }, containers }) as DockerListing,
      (e: Error) => ({ status: { available: false, endpoint, error: { code: 'DOCKER_UNAVAILABLE', message: `${endpoint}: ${e.message}` } }, containers: [] }) as DockerListing,
    ),
  ]);
  const handles = scan.namespaces.flatMap((n) => {
    const path = entryPath(n);
    return path ? [{ inode: n.inode, path }] : [];
  });
  const counters = new Map<number, Map<string, Counters>>();
  const read = await helper.request('readCounters', { namespaces: handles.slice(0, 4096) }).catch(() => ({ namespaces: [] }));
  for (const ns of read.namespaces) counters.set(ns.inode, new Map(ns.links.map((l) => [l.ifname, l])));
  return { uid: helper.identity?.uid ?? -1, scan, listing: docker, counters };
}

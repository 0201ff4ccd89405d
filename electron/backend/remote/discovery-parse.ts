// What the DISCOVER script printed, read as hostile input: every section is capped by the
// script and again here, numbers must be numbers, JSON is parsed by the same parsers the
// local host uses (kernel/ip-json.ts, kernel/proc-net-dev.ts, engines/docker.ts) and the
// namespace scan is validated by the helper protocol's own schema.
import type Docker from 'dockerode';
import { NamespaceScan, type RawNamespace } from '../../../shared/helper-protocol';
import { CodedError } from '../../../shared/result';
import { printable } from '../../../shared/text';
import { parseIpAddrJson } from '../../kernel/ip-json';
import { parseProcNetDev, type Counters } from '../../kernel/proc-net-dev';
import type { DockerApi } from '../../engines/docker';

const MAX_NAMESPACES = 8192;
const MAX_PIDS_PER_NS = 8;
const NUM = /^\d{1,19}$/;

export interface RemoteDiscovery {
  uid: number;
  /** The remote's own hostname, escaped and capped: for display only. */
  hostname: string;
  scan: NamespaceScan;
  /** Namespace inode -> interface counters, read in the same round trip. */
  counters: Map<number, Map<string, Counters>>;
  /** Docker's answers, for listDockerContainers (null: Docker could not be asked, with why). */
  docker: DockerApi | null;
  dockerError: string | null;
  /** The namespace of the SSH session (sshd's): captures there exclude vethscope's own connection. */
  sessionInode: number | null;
}

const num = (s: string | undefined): number | null => (s !== undefined && NUM.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : null);
const unb64 = (s: string | undefined): string => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

export function parseDiscovery(stdout: string): RemoteDiscovery {
  const lines = stdout.split('\n');
  if (lines[0]?.trim() !== 'vethscope-discovery 1') throw new CodedError('INTERNAL', `the remote did not run vethscope's discovery (it printed: ${printable(stdout.slice(0, 120))})`);
  if (!lines.some((l) => l.trim() === 'vethscope-end')) throw new CodedError('INTERNAL', 'the remote discovery was cut short (no end marker)');
  let uid = -1;
  let hostname = '';
  let hostInode: number | null = null;
  let sessionInode: number | null = null;
  const map = new Map<number, RawNamespace>();
  const counters = new Map<number, Map<string, Counters>>();
  const warnings: string[] = [];
  let ids: string[] | null = null;
  let inspect: unknown[] = [];
  let networks: Array<{ Name: string; Driver: string }> = [];
  let dockerError: string | null = null;

  const ensure = (inode: number): RawNamespace | null => {
    let ns = map.get(inode);
    if (!ns) {
      if (map.size >= MAX_NAMESPACES) return null;
      ns = { inode, isHost: false, pids: [], paths: [], netnsNames: [], links: [], error: null };
      map.set(inode, ns);
    }
    return ns;
  };

  for (const line of lines) {
    const f = line.trim().split(' ');
    switch (f[0]) {
      // Single-valued sections: the first one counts (a name printed later cannot replace it).
      case 'uid':
        if (uid === -1) uid = num(f[1]) ?? -1;
        break;
      case 'hostname':
        hostname ||= printable(unb64(f[1]).trim()).slice(0, 255);
        break;
      case 'hostns':
        hostInode ??= num(f[1]);
        break;
      case 'sessionns':
        sessionInode ??= num(f[1]);
        break;
      case 'pids':
        for (const row of unb64(f[1]).split('\n')) {
          const [i, p] = row.trim().split(' ');
          const inode = num(i);
          const pid = num(p);
          if (inode === null || pid === null || pid < 1) continue;
          const ns = ensure(inode);
          if (ns && ns.pids.length < MAX_PIDS_PER_NS) ns.pids.push(pid);
        }
        break;
      case 'links': {
        const inode = num(f[1]);
        const ns = inode === null ? null : ensure(inode);
        if (!ns) break;
        try {
          ns.links = parseIpAddrJson(unb64(f[3]));
          ns.source = 'ip';
          if (!ns.links.length) ns.error = 'ip printed no interfaces (no root there?)';
        } catch (e) {
          ns.error = `could not parse ip output: ${(e as Error).message}`;
        }
        break;
      }
      case 'dev': {
        const inode = num(f[1]);
        if (inode !== null) counters.set(inode, parseProcNetDev(unb64(f[2])));
        break;
      }
      case 'bind': {
        const inode = num(f[1]);
        const path = unb64(f[2]);
        const ns = inode === null ? null : ensure(inode);
        if (!ns || !/^\/run\/(docker\/)?netns\/[^/\u0000-\u001f]{1,255}$/.test(path)) break;
        ns.paths.push(path);
        if (path.startsWith('/run/netns/')) ns.netnsNames.push(path.slice('/run/netns/'.length));
        break;
      }
      case 'dockerps':
        ids = unb64(f[1]).split('\n').map((s) => s.trim()).filter((s) => /^[0-9a-f]{12,64}$/.test(s));
        break;
      case 'inspect':
        try {
          const parsed = JSON.parse(unb64(f[1])) as unknown;
          inspect = Array.isArray(parsed) ? parsed.filter(isInspect) : [];
        } catch {
          warnings.push('docker inspect printed something that is not JSON');
        }
        break;
      case 'networks':
        for (const row of unb64(f[1]).split('\n')) {
          try {
            const n = JSON.parse(row) as { Name?: unknown; Driver?: unknown };
            if (typeof n.Name === 'string' && typeof n.Driver === 'string') networks.push({ Name: n.Name, Driver: n.Driver });
          } catch {
            /* not a network line */
          }
        }
        break;
      case 'dockererr':
        dockerError = printable(unb64(f[1]).trim()).slice(0, 300) || 'docker failed';
        break;
      default:
        break;
    }
  }
  if (hostInode === null) throw new CodedError('INTERNAL', 'the remote discovery did not say which namespace is the host’s');
  const host = ensure(hostInode);
  if (host) host.isHost = true;
  for (const ns of map.values()) if (!ns.links.length && !ns.error) ns.error = uid === 0 ? 'could not be read' : 'needs root to enter (no root or passwordless sudo there)';
  const scan = NamespaceScan.parse({ hostInode, namespaces: [...map.values()], privileged: uid === 0, warnings });
  const byId = new Map((inspect as Docker.ContainerInspectInfo[]).map((i) => [i.Id, i]));
  const docker: DockerApi | null =
    ids === null
      ? null
      : {
          listContainers: async () => ids!.filter((id) => byId.has(id)).map((Id) => ({ Id })),
          listNetworks: async () => networks,
          inspect: async (id) => {
            const info = byId.get(id);
            if (!info) throw new Error(`no inspect for ${id}`);
            return info;
          },
        };
  return { uid, hostname, scan, counters, docker, dockerError, sessionInode };
}

/** Enough of docker inspect's shape for engines/docker.ts to read without throwing. */
function isInspect(x: unknown): boolean {
  const i = x as { Id?: unknown; Name?: unknown; State?: unknown; Config?: unknown; NetworkSettings?: unknown };
  return !!i && typeof i === 'object' && typeof i.Id === 'string' && typeof i.Name === 'string' && (i.State === undefined || typeof i.State === 'object') && (i.NetworkSettings === undefined || typeof i.NetworkSettings === 'object');
}

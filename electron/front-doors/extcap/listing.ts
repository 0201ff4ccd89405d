// Which containers Wireshark's interface list shows, fast. Wireshark starts the extcap once
// to list interfaces and once more per interface for its options, every time it starts
// and every time it captures: each call must not pay for the Backend (dockerode, a full
// discovery, the helper). So:
//   - here: Docker's running containers in one GET plus every engine's, from the files
//     they leave on the host, merged exactly as the Backend merges them. Complete as root;
//     a user cannot read root's engines' files (nor, outside the docker group, Docker's
//     socket): for them the Backend lists, through the helper.
//   - a short-lived cache of the last complete listing, private to the user, answers the
//     option calls that follow a listing (and, for a user, the listings within a few seconds).
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readHostContainers } from '../../engines/host-containers';
import { realHostFiles } from '../../engines/host-files';
import { netnsOf } from '../../engines/processes';
import { mergeContainers, type EngineNamed } from '../../backend/topology/engine-containers';
import type { ListedContainer } from './interfaces';
import { quickDockerContainers } from './docker-quick';

export interface Listing {
  containers: ListedContainer[];
  /** Everything the Backend would name (false: root's engines or Docker's socket were out of reach). */
  complete: boolean;
  warnings: string[];
}

/** How long a listing answers the calls that follow it. */
export const CACHE_TTL_MS = 30_000;
const CACHE_MAX_BYTES = 8 << 20;
const CACHE_FORMAT = 1;

const toListed = (c: ListedContainer): ListedContainer => ({ id: c.id, name: c.name, engine: c.engine, pod: c.pod, infra: c.infra });

/** In the host's network namespace, or in none: nothing of its own to capture. */
function hasOwnNetwork(c: EngineNamed, hostNetns: number | null): boolean {
  if (c.networkMode === 'host' || c.networkMode === 'none') return false;
  return !(c.netnsHint !== null && c.netnsHint === hostNetns);
}

export async function listHere(env: NodeJS.ProcessEnv = process.env): Promise<Listing> {
  const warnings: string[] = [];
  // Docker answers while the host's files are read (that reading is synchronous).
  const asked = quickDockerContainers(env);
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); // the request is on its way
  let host;
  try {
    host = readHostContainers();
  } catch (err) {
    host = { containers: [], warnings: [`naming containers from the host's files failed: ${(err as Error).message}`] };
  }
  const docker = await asked;
  if (!docker.ok) warnings.push(`Docker: ${docker.message}`);
  warnings.push(...host.warnings);
  const merged = mergeContainers(docker.ok ? docker.containers : [], host.containers);
  const hostNetns = netnsOf(realHostFiles, 1) ?? netnsOf(realHostFiles, process.pid);
  const containers = merged.containers.filter((c) => c.state === 'running' && hasOwnNetwork(c, hostNetns)).map(toListed);
  const dockerKnown = docker.ok || docker.errno === 'ENOENT' || docker.errno === 'ECONNREFUSED';
  return { containers, complete: process.getuid?.() === 0 && dockerKnown, warnings };
}

/** A listing the Backend made (a Topology's running containers that have a network of their own). */
export function fromTopology(containers: Array<ListedContainer & { state: string; hostNetwork: boolean; interfaces: Array<{ name: string; kind: string }> }>): ListedContainer[] {
  return containers.filter((c) => c.state === 'running' && !c.hostNetwork && c.interfaces.some((i) => i.kind !== 'loopback' && i.name !== 'lo')).map(toListed);
}

/** The user's private runtime folder when there is one, else their cache folder. */
export function cacheFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const runtime = env.XDG_RUNTIME_DIR?.startsWith('/') ? env.XDG_RUNTIME_DIR : null;
  const base = runtime ?? (env.HOME?.startsWith('/') ? join(env.HOME, '.cache') : null);
  return base ? join(base, 'vethscope', 'extcap-containers.json') : null;
}

interface CacheBody {
  format: number;
  uid: number;
  docker: string;
  writtenAt: number;
  containers: ListedContainer[];
}

const dockerKey = (env: NodeJS.ProcessEnv) => env.DOCKER_HOST || 'unix:///var/run/docker.sock';

const isListed = (c: unknown): c is ListedContainer => {
  const x = c as ListedContainer;
  return typeof x?.id === 'string' && typeof x.name === 'string' && typeof x.engine === 'string' && typeof x.infra === 'boolean' && (x.pod === null || (typeof x.pod?.name === 'string' && (x.pod.namespace === null || typeof x.pod.namespace === 'string')));
};

/** The cached listing, if it is ours (our file, our uid, the same Docker) and younger than maxAgeMs. */
export function readCache(env: NodeJS.ProcessEnv = process.env, maxAgeMs = CACHE_TTL_MS, now = Date.now()): ListedContainer[] | null {
  const file = cacheFile(env);
  if (!file) return null;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    // Only a file of our own that nobody else may write: its names become Wireshark's interface list.
    if (!st.isFile() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0 || st.size > CACHE_MAX_BYTES) return null;
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) break;
      off += n;
    }
    const body = JSON.parse(buf.subarray(0, off).toString('utf8')) as CacheBody;
    if (body.format !== CACHE_FORMAT || body.uid !== process.getuid?.() || body.docker !== dockerKey(env)) return null;
    if (!(now - body.writtenAt >= 0 && now - body.writtenAt < maxAgeMs)) return null;
    return Array.isArray(body.containers) && body.containers.every(isListed) ? body.containers : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Remember a complete listing (best effort: a listing never fails because its cache could not be written). */
export function writeCache(containers: ListedContainer[], env: NodeJS.ProcessEnv = process.env, now = Date.now()): void {
  const file = cacheFile(env);
  if (!file) return;
  const dir = join(file, '..');
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const body: CacheBody = { format: CACHE_FORMAT, uid: process.getuid?.() ?? -1, docker: dockerKey(env), writtenAt: now, containers };
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, JSON.stringify(body));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp); // never leave a half-written temporary behind
    } catch {
      /* none was made */
    }
  }
}

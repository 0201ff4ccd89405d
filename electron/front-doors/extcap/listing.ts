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
//     It also keeps what the host's files said (the costly part: every process's /proc): a
//     listing within HOST_TTL_MS reuses it for the containers whose process still lives in
//     the same namespace; Docker's own list is asked every time. So a Podman, LXC or nspawn
//     container started moments after a listing appears at the next listing after that.
//   - beside it, each interface's options, written out by the listing: the launcher answers
//     Wireshark's one-call-per-interface from those files without starting node at all.
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readHostContainers } from '../../engines/host-containers';
import { realHostFiles } from '../../engines/host-files';
import { netnsOf } from '../../engines/processes';
import { mergeContainers, type EngineNamed } from '../../backend/topology/engine-containers';
import type { HostContainer } from '../../../shared/helper-protocol';
import { configOutput, extcapInterfaces, type ListedContainer } from './interfaces';
import { quickDockerContainers } from './docker-quick';

/** What the host's files said, and when. */
export interface HostSnapshot {
  readAt: number;
  containers: HostContainer[];
}

export interface Listing {
  containers: ListedContainer[];
  /** Everything the Backend would name (false: root's engines or Docker's socket were out of reach). */
  complete: boolean;
  warnings: string[];
  host?: HostSnapshot;
}

/** How long a listing answers the calls that follow it. */
export const CACHE_TTL_MS = 30_000;
/** How long what the host's files said is reused by the next listings. */
export const HOST_TTL_MS = 10_000;
const CACHE_MAX_BYTES = 8 << 20;
const CACHE_FORMAT = 1;

const toListed = (c: ListedContainer): ListedContainer => ({ id: c.id, name: c.name, engine: c.engine, pod: c.pod, infra: c.infra });

/** In the host's network namespace, or in none: nothing of its own to capture. */
function hasOwnNetwork(c: EngineNamed, hostNetns: number | null): boolean {
  if (c.networkMode === 'host' || c.networkMode === 'none') return false;
  return !(c.netnsHint !== null && c.netnsHint === hostNetns);
}

/** Still running: its process is alive in the namespace it had (a reused pid lives elsewhere). */
const stillThere = (h: HostContainer) => (h.netns === null ? realHostFiles.readlink(`/proc/${h.pid}/ns/net`) !== null : netnsOf(realHostFiles, h.pid) === h.netns);

/** The host files' reading from the last listing when it is recent and every container in it still runs, else a new reading. */
function hostReading(env: NodeJS.ProcessEnv, now: number): { snapshot: HostSnapshot; warnings: string[] } {
  const prior = readCacheBody(env)?.host;
  if (prior && now - prior.readAt >= 0 && now - prior.readAt < HOST_TTL_MS && prior.containers.every(stillThere)) return { snapshot: prior, warnings: [] };
  try {
    const read = readHostContainers();
    return { snapshot: { readAt: now, containers: read.containers }, warnings: read.warnings };
  } catch (err) {
    return { snapshot: { readAt: now, containers: [] }, warnings: [`naming containers from the host's files failed: ${(err as Error).message}`] };
  }
}

export async function listHere(env: NodeJS.ProcessEnv = process.env, now = Date.now()): Promise<Listing> {
  // A user's own reading is never the whole story (root's engines, maybe Docker's socket): not worth its cost.
  if (process.getuid?.() !== 0) return { containers: [], complete: false, warnings: [] };
  const warnings: string[] = [];
  // Docker answers while the host's files are read (that reading is synchronous).
  const asked = quickDockerContainers(env);
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r)); // the request is on its way
  const { snapshot, warnings: hostWarnings } = hostReading(env, now);
  const host = { containers: snapshot.containers, warnings: hostWarnings };
  const docker = await asked;
  if (!docker.ok) warnings.push(`Docker: ${docker.message}`);
  warnings.push(...host.warnings);
  const merged = mergeContainers(docker.ok ? docker.containers : [], host.containers);
  const hostNetns = netnsOf(realHostFiles, 1) ?? netnsOf(realHostFiles, process.pid);
  const containers = merged.containers.filter((c) => c.state === 'running' && hasOwnNetwork(c, hostNetns)).map(toListed);
  const dockerKnown = docker.ok || docker.errno === 'ENOENT' || docker.errno === 'ECONNREFUSED';
  return { containers, complete: process.getuid?.() === 0 && dockerKnown, warnings, host: snapshot };
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
  host?: HostSnapshot;
}

const dockerKey = (env: NodeJS.ProcessEnv) => env.DOCKER_HOST || 'unix:///var/run/docker.sock';

const isListed = (c: unknown): c is ListedContainer => {
  const x = c as ListedContainer;
  return typeof x?.id === 'string' && typeof x.name === 'string' && typeof x.engine === 'string' && typeof x.infra === 'boolean' && (x.pod === null || (typeof x.pod?.name === 'string' && (x.pod.namespace === null || typeof x.pod.namespace === 'string')));
};

const isHostContainer = (h: unknown): h is HostContainer => {
  const x = h as HostContainer;
  return typeof x?.id === 'string' && typeof x.name === 'string' && typeof x.engine === 'string' && Number.isInteger(x.pid) && x.pid > 0 && (x.netns === null || Number.isInteger(x.netns)) && Number.isInteger(x.uid) && typeof x.infra === 'boolean';
};

/** The cached listing, if it is ours (our file, our uid, the same Docker) and younger than maxAgeMs. */
export function readCache(env: NodeJS.ProcessEnv = process.env, maxAgeMs = CACHE_TTL_MS, now = Date.now()): ListedContainer[] | null {
  const body = readCacheBody(env);
  if (!body || !(now - body.writtenAt >= 0 && now - body.writtenAt < maxAgeMs)) return null;
  return body.containers;
}

/** The cache file's body when it is ours (our file, our uid, the same Docker) and well formed, whatever its age. */
function readCacheBody(env: NodeJS.ProcessEnv): CacheBody | null {
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
    if (body.format !== CACHE_FORMAT || body.uid !== process.getuid?.() || body.docker !== dockerKey(env) || typeof body.writtenAt !== 'number') return null;
    if (!Array.isArray(body.containers) || !body.containers.every(isListed)) return null;
    const host = body.host && typeof body.host.readAt === 'number' && Array.isArray(body.host.containers) && body.host.containers.every(isHostContainer) ? body.host : undefined;
    return { ...body, host };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** A file of ours, replaced whole (a reader sees the old one or the new one), 0600, never through a link. */
function replaceFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp); // never leave a half-written temporary behind
    } catch {
      /* none was made */
    }
    throw e;
  }
}

/** A folder of ours that only we may enter (one we made earlier and someone opened up is closed again). */
function privateDir(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== process.getuid?.()) return false;
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return true;
}

/** Where the launcher finds each interface's options (the names are interface values: no '/', never '.' or '..'). */
export const optionsDir = (file: string) => join(file, '..', 'options');

/**
 * Each interface's options as Wireshark will ask for them; files of interfaces gone since are
 * removed. An unchanged listing whose files are all there leaves them be: writing 100 files
 * would cost a listing more than asking Docker does.
 */
function writeOptions(dir: string, containers: ListedContainer[], unchanged: boolean): void {
  if (!privateDir(dir)) return;
  const ifaces = extcapInterfaces(containers);
  if (unchanged && readdirSync(dir).length === ifaces.length) return;
  for (const i of ifaces) replaceFile(join(dir, i.value), configOutput(i.value, i.container, containers));
  const keep = new Set(ifaces.map((i) => i.value));
  for (const name of readdirSync(dir)) {
    if (keep.has(name)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      /* not a file of ours to remove: the launcher reads only names it is asked for */
    }
  }
}

/** Remember a complete listing (best effort: a listing never fails because its cache could not be written). */
export function writeCache(containers: ListedContainer[], env: NodeJS.ProcessEnv = process.env, now = Date.now(), host?: HostSnapshot): void {
  const file = cacheFile(env);
  if (!file) return;
  try {
    if (!privateDir(join(file, '..'))) return;
    const before = readCacheBody(env);
    const unchanged = before !== null && JSON.stringify(before.containers) === JSON.stringify(containers);
    const body: CacheBody = { format: CACHE_FORMAT, uid: process.getuid?.() ?? -1, docker: dockerKey(env), writtenAt: now, containers, ...(host ? { host } : {}) };
    replaceFile(file, JSON.stringify(body));
    writeOptions(optionsDir(file), containers, unchanged);
  } catch {
    /* a cache we cannot write is a slower next call, nothing more */
  }
}

// Topology: discovery on demand, through the privileged channel when there is one.
import type Docker from 'dockerode';
import type { Topology } from '../../../shared/topology';
import type { HostContainerListing } from '../../../shared/helper-protocol';
import { readHostContainers } from '../../engines/host-containers';
import { completeDockerListing, dockerEndpoint, listDockerSummaries, type DockerContainer, type DockerListing, type DockerSummaries } from '../../engines/docker';
import { createDockerClient, dockerodeApi } from './dockerode-api';
import { scanNamespaces, type NamespaceScan } from '../../kernel/namespaces';
import { discoverTopology } from './build-topology';
import type { Backend } from '../backend';
import { findContainer } from './find-container';
import { mergeHostListings } from './engine-containers';
import { realOwnNamespaces, withOwnNamespaces, type OwnNamespaceReader } from './own-namespaces';

/** How the unprivileged backend reaches namespaces it cannot enter itself. */
export interface NamespaceScanner {
  mode(): 'root' | 'helper' | 'none';
  /** Scan every namespace; rejects with a CodedError when the helper cannot be had. */
  scanNamespaces(): Promise<NamespaceScan>;
  lastError?(): { code: string; message: string } | undefined;
}

/** In-process scanning: complete as root, the host namespace only otherwise. */
export const localScanner: NamespaceScanner = {
  mode: () => (process.getuid?.() === 0 ? 'root' : 'none'),
  scanNamespaces: () => scanNamespaces(),
};

/**
 * What makes two topologies different for a viewer: everything but timings, time stamps, warnings
 * and which processes happen to sit in a namespace (a `docker exec`, an nsenter'd tool, the rates
 * sampler's own anchor process come and go without changing any wiring).
 */
export function topologyFingerprint(t: Topology): string {
  const { generatedAt: _g, elapsedMs: _e, warnings: _w, namespaces, ...rest } = t;
  return JSON.stringify({ ...rest, namespaces: namespaces.map(({ pids: _p, ...ns }) => ns) });
}

/**
 * Whether Docker's own state files must name its containers: on the first scan, when Docker's
 * API did not answer, or when DOCKER_HOST names another API (Podman's) and Docker's running
 * containers were known only from the host (no networks, a mode Docker's API never reports).
 */
export function needsDockerStateFiles(last: Topology | null): boolean {
  if (!last || !last.docker.available) return true;
  return last.containers.some((c) => c.engine === 'docker' && c.state === 'running' && c.networks.length === 0 && (c.networkMode === 'private' || c.networkMode === 'host'));
}

export interface TopologyServiceOptions {
  /** Lists containers through the privileged helper: for a user the Docker socket refuses. */
  dockerViaHelper?: (socket: string) => Promise<DockerContainer[]>;
  /** Every engine's containers from the host's files as root sees them, through the helper (when not root). */
  hostContainersViaHelper?: (dockerStateFiles: boolean) => Promise<HostContainerListing>;
  /** This process's own reading of the host's files (default: readHostContainers; tests hand in a recorded one). */
  readHostContainers?: (opts: { dockerStateFiles: boolean }) => HostContainerListing;
  /** Not root: how our own rootless containers' namespaces are found and read (null: not at all). */
  ownNamespaces?: OwnNamespaceReader | null;
}

/** Docker's list, or (its socket refused us) the helper's whole listing instead. */
interface DockerFirstAnswer {
  summaries: DockerSummaries;
  listing: DockerListing | null;
}
const dockerAnswered = (a: DockerFirstAnswer) => (a.listing ? a.listing.status.available : a.summaries.status.available);
const dockerListedIds = (a: DockerFirstAnswer) => new Set(a.listing ? a.listing.containers.map((c) => c.id) : a.summaries.summaries.map((s) => s.Id));

export class TopologyService {
  readonly docker: Docker;
  private last: Topology | null = null;
  private lastFingerprint: string | null = null;
  /** The first scan's map, fingerprinted only once a second scan needs it (a CLI command makes one: 2 ms saved). */
  private unfingerprinted: Topology | null = null;
  private backend: Backend | null = null;
  private inFlight: Promise<Topology> | null = null;
  private queued: Promise<Topology> | null = null;
  private readonly changeListeners = new Set<(t: Topology) => void>();

  constructor(
    private readonly scanner: NamespaceScanner = localScanner,
    readonly env: NodeJS.ProcessEnv = process.env,
    private readonly opts: TopologyServiceOptions = {},
  ) {
    this.docker = createDockerClient(env);
  }

  /**
   * A topology no older than this call. Concurrent callers (several windows, capture follow,
   * the rates sampler, the watcher) share scans: while one runs, later callers wait for the
   * one queued after it, never start their own.
   */
  discover(): Promise<Topology> {
    if (!this.inFlight) return this.runScan();
    this.queued ??= this.inFlight.then(
      () => this.runScan(),
      () => this.runScan(),
    );
    return this.queued;
  }

  private runScan(): Promise<Topology> {
    this.queued = null;
    const run = this.scanOnce().finally(() => {
      if (this.inFlight === run) this.inFlight = null;
    });
    this.inFlight = run;
    return run;
  }

  private async scanOnce(): Promise<Topology> {
    let scannerError: { code: string; message: string } | undefined;
    const scanner: NamespaceScanner = {
      mode: () => (scannerError ? 'none' : this.scanner.mode()),
      scanNamespaces: async () => {
        let scan: NamespaceScan;
        try {
          scan = await this.scanner.scanNamespaces();
        } catch (err) {
          // Helper refused or died: still show what an unprivileged scan sees.
          const e = err as { code?: string; message?: string };
          scannerError = { code: e.code ?? 'HELPER_UNAVAILABLE', message: e.message ?? String(err) };
          scan = await scanNamespaces();
        }
        const own = this.opts.ownNamespaces === undefined ? realOwnNamespaces : this.opts.ownNamespaces;
        return own && process.getuid?.() !== 0 ? withOwnNamespaces(scan, own) : scan;
      },
    };
    // Each asked once. The host-file namers wait for Docker's list (it decides what they must
    // read); Docker's listing then waits for them (the pids they found spare an inspect each).
    let first: Promise<DockerFirstAnswer> | null = null;
    const dockerFirst = () => (first ??= this.firstDockerAnswer());
    let host: Promise<HostContainerListing> | null = null;
    const listHost = () => (host ??= this.listHostContainers(dockerFirst));
    const topo = await discoverTopology({
      listContainers: async () => this.completeDocker(await dockerFirst(), listHost),
      listHostContainers: listHost,
      scanNamespaces: scanner.scanNamespaces,
      privilegedMode: scanner.mode,
      privilegedError: () => scannerError ?? this.scanner.lastError?.(),
    });
    this.last = topo;
    // Push only real changes: every scan would otherwise re-render every window. The first is always one.
    const previous = this.unfingerprinted ? topologyFingerprint(this.unfingerprinted) : this.lastFingerprint;
    this.unfingerprinted = null;
    const fingerprint = previous === null ? null : topologyFingerprint(topo);
    if (fingerprint === null) this.unfingerprinted = topo;
    else this.lastFingerprint = fingerprint;
    if (fingerprint === null || fingerprint !== previous) {
      for (const fn of this.changeListeners) fn(topo);
      this.backend?.emit('topology', topo);
    }
    return topo;
  }

  /**
   * For other services (rates, captures): called on every structural change. Unlike a
   * backend 'topology' listener, this does not count as an audience that keeps the watcher running.
   */
  onChange(fn: (t: Topology) => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  /** Docker's list directly; when its socket refuses us (not in the docker group), the helper's whole listing. */
  private async firstDockerAnswer(): Promise<DockerFirstAnswer> {
    const endpoint = dockerEndpoint(this.env);
    const summaries = await listDockerSummaries(dockerodeApi(this.docker), endpoint);
    const viaHelper = this.opts.dockerViaHelper;
    if (summaries.errno !== 'EACCES' || !viaHelper || !endpoint.startsWith('unix://')) return { summaries, listing: null };
    try {
      const containers = await viaHelper(endpoint.slice('unix://'.length));
      const note = `Docker listed through the privileged helper: your user cannot open ${endpoint} (join the docker group to skip the helper)`;
      return { summaries, listing: { status: { available: true, endpoint }, containers, warnings: [note] } };
    } catch (err) {
      const why = (err as Error).message ?? String(err);
      const status = { ...summaries.status, error: { code: 'DOCKER_UNAVAILABLE', message: `${summaries.status.error?.message}; through the helper: ${why}` } };
      return { summaries, listing: { status, containers: [], errno: summaries.errno } };
    }
  }

  private async completeDocker(first: DockerFirstAnswer, host: () => Promise<HostContainerListing>): Promise<DockerListing> {
    if (first.listing) return first.listing;
    // Docker down: nothing to inspect, so no wait for the host's files.
    const pids = first.summaries.status.available ? new Map((await host()).containers.filter((c) => c.engine === 'docker').map((c) => [c.id, c.pid])) : undefined;
    return completeDockerListing(dockerodeApi(this.docker), first.summaries, pids);
  }

  /**
   * Every engine's containers, named from the host's files: in-process (complete as root; as a
   * user, their own rootless containers and what command lines tell), plus the helper's
   * root reading when the helper scans for us.
   */
  private async listHostContainers(docker: () => Promise<DockerFirstAnswer>): Promise<HostContainerListing> {
    const read = this.opts.readHostContainers ?? ((o: { dockerStateFiles: boolean }) => readHostContainers(o));
    // The first scan (every CLI command's only one) asks Docker first: reading Docker's state files
    // for containers its API names anyway cost ~70 ms of CPU at 100 containers.
    let dockerStateFiles = this.last ? needsDockerStateFiles(this.last) : !dockerAnswered(await docker());
    // Let the Docker requests and the scan's children start before this synchronous read.
    await new Promise((r) => setImmediate(r));
    const readOwn = (o: { dockerStateFiles: boolean }): HostContainerListing => {
      try {
        return read(o);
      } catch (err) {
        return { containers: [], warnings: [`naming containers from the host's files failed: ${(err as Error).message}`] };
      }
    };
    let own = readOwn({ dockerStateFiles });
    if (!dockerStateFiles) {
      // Docker's tasks its API did not list (DOCKER_HOST names another engine's API): their names are in Docker's state files.
      const listed = dockerListedIds(await docker());
      if (own.containers.some((c) => c.engine === 'docker' && !listed.has(c.id))) own = readOwn({ dockerStateFiles: (dockerStateFiles = true) });
    }
    const viaHelper = this.opts.hostContainersViaHelper;
    if (!viaHelper || this.scanner.mode() !== 'helper') return own;
    try {
      return mergeHostListings(await viaHelper(dockerStateFiles), own);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      // An installed helper older than this vethscope does not know the op: say so once, keep our own reading.
      const why = e.code === 'INVALID_INPUT' ? 'the installed helper is older than this vethscope (reinstall it: sudo vethscope install-helper)' : (e.message ?? String(err));
      return e.code === 'HELPER_REFUSED' || e.code === 'HELPER_UNAVAILABLE' ? own : { ...own, warnings: [...own.warnings, `containers of other users' and root's engines are named from command lines only: ${why}`] };
    }
  }

  latest(): Topology | null {
    return this.last;
  }

  register(backend: Backend): void {
    this.backend = backend;
    backend.handle('getTopology', () => this.discover());
    backend.handle('findContainer', async ({ query }) => findContainer(await this.discover(), query));
  }
}

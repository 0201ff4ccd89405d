// The host list on the Backend: remote Docker hosts over SSH beside the local one. Each
// host refreshes on its own (one round trip: topology and counters), with its own timeout
// and backoff, so a slow or dead host shows its status and never holds up another.
import { hostname } from 'node:os';
import type { CaptureTarget } from '../../../shared/capture';
import type { HostTopology } from '../../../shared/api';
import { LOCAL_HOST, type Container, type HostStatus } from '../../../shared/topology';
import { printable } from '../../../shared/text';
import { matchContainers } from '../topology/find-container';
import { CodedError } from '../../../shared/result';
import type { Backend } from '../backend';
import type { ResolvedIface } from '../capture/targets';
import { dockerSshHosts } from './docker-contexts';
import { parseHostUrl, type HostAddress } from './host-url';
import { RemoteCaptures } from './remote-capture';
import { RemoteHost } from './remote-host';
import { isRemoteTarget, resolveAcrossHosts } from './remote-targets';
import { SshTransport } from './ssh';
import type { RemoteTransport } from './transport';

export interface RemoteServiceOptions {
  env?: NodeJS.ProcessEnv;
  /** Hosts named on the command line (`--host ssh://...`). */
  hosts?: string[];
  /** Offer `docker context` ssh:// endpoints and DOCKER_HOST=ssh://... as hosts (the app: yes; a CLI run: only what it names). */
  offerDockerHosts?: boolean;
  /** Between two refreshes of one host while someone watches (default 3 s, like the local rescan). */
  refreshMs?: number;
  /** One discovery's timeout (default 20 s). */
  timeoutMs?: number;
  /** How a host is reached (default: ssh); tests hand in a local shell as the "remote". */
  transport?: (address: HostAddress) => RemoteTransport;
}

const MAX_HOSTS = 64;
/** A lookup may answer from a map this young (a CLI naming three targets asks three times in a row). */
const FRESH_MS = 2000;

export class RemoteService {
  readonly captures: RemoteCaptures;
  private readonly hosts = new Map<string, RemoteHost>();
  private backend: Backend | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: RemoteServiceOptions = {}) {
    this.captures = new RemoteCaptures((id) => this.hosts.get(id));
    for (const url of o.hosts ?? []) this.add(url, 'command-line');
    if (o.offerDockerHosts)
      for (const offer of dockerSshHosts(o.env)) {
        try {
          this.addAddress(offer.address, offer.source, offer.context);
        } catch {
          /* no ssh client, or too many: not offered */
        }
      }
  }

  host(id: string): RemoteHost | undefined {
    return this.hosts.get(id);
  }

  /** Add by ssh://[user@]host[:port]; the same host twice is the same host. */
  add(url: string, source: HostStatus['source'] = 'added'): RemoteHost {
    return this.addAddress(parseHostUrl(url), source, null);
  }

  private addAddress(address: HostAddress, source: HostStatus['source'], context: string | null): RemoteHost {
    const known = this.hosts.get(address.id);
    if (known) return known;
    if (this.hosts.size >= MAX_HOSTS) throw new CodedError('INVALID_INPUT', `at most ${MAX_HOSTS} remote hosts`);
    const transport = this.o.transport?.(address) ?? new SshTransport(address, { env: this.o.env });
    const host = new RemoteHost(address, { source, context, transport, ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}) });
    this.hosts.set(address.id, host);
    if (this.timer) void this.refreshOne(host);
    return host;
  }

  async remove(id: string): Promise<boolean> {
    const host = this.hosts.get(id);
    if (!host) return false;
    this.hosts.delete(id);
    await host.close();
    this.emit();
    return true;
  }

  localStatus(): HostStatus {
    return { id: LOCAL_HOST, name: hostname(), url: '', source: 'local', context: null, state: 'reachable', lastError: null, latencyMs: 0, lastSeen: new Date().toISOString(), remoteHostname: null, via: null, retryAt: null };
  }

  list(): HostStatus[] {
    return [this.localStatus(), ...[...this.hosts.values()].map((h) => structuredClone(h.status))];
  }

  /** Every remote host's map; `refresh`: a round trip to each now, all at once, each bounded by its own timeout. */
  async topologies(refresh = false): Promise<HostTopology[]> {
    if (refresh) await Promise.all([...this.hosts.values()].map((h) => h.refresh()));
    return this.snapshot();
  }

  private snapshot(): HostTopology[] {
    return [...this.hosts.values()].map((h) => ({ host: structuredClone(h.status), topology: h.topology, rates: h.rates }));
  }

  /** Targets on any host, in the order asked; local ones through `resolveLocal`. */
  resolve(targets: CaptureTarget[], filter: string, resolveLocal: (t: CaptureTarget[]) => Promise<ResolvedIface[]>): Promise<ResolvedIface[]> {
    return resolveAcrossHosts(targets, filter, resolveLocal, (id) => this.hosts.get(id));
  }

  /** Every named host's match for `query` (the local one through findContainer), each host refreshed once, all at once. */
  private async findOnHosts(backend: Backend, query: string, ids?: string[]): Promise<Array<{ host: string; container: Container }>> {
    const wanted = ids ?? [LOCAL_HOST, ...this.hosts.keys()];
    const unknown = wanted.filter((id) => id !== LOCAL_HOST && !this.hosts.has(id));
    if (unknown.length) throw new CodedError('NOT_FOUND', `no remote host ${printable(unknown[0]!)}: add it first`);
    const problems: string[] = [];
    const found = await Promise.all(
      wanted.map(async (id) => {
        if (id === LOCAL_HOST) {
          const r = await backend.call('findContainer', { query });
          if (!r.ok && r.error.code !== 'NOT_FOUND') problems.push(`local: ${r.error.message}`);
          return r.ok ? [{ host: LOCAL_HOST, container: r.result }] : [];
        }
        const h = this.hosts.get(id)!;
        await h.fresh(FRESH_MS);
        if (!h.topology) {
          problems.push(h.status.lastError?.message ?? `${id}: not reachable`);
          return [];
        }
        return matchContainers(h.topology, query).map((container) => ({ host: id, container }));
      }),
    );
    const all = found.flat();
    if (!all.length) throw new CodedError('NOT_FOUND', `no container matches "${printable(query)}" on ${wanted.join(', ')}${problems.length ? ` (${problems.join('; ')})` : ''}`);
    return all;
  }

  static anyRemote(targets: CaptureTarget[]): boolean {
    return targets.some(isRemoteTarget);
  }

  register(backend: Backend): void {
    this.backend = backend;
    backend.handle('listHosts', async () => this.list());
    backend.handle('addHost', async ({ url }) => {
      const h = this.add(url, 'added');
      await h.refresh();
      this.emit();
      return structuredClone(h.status);
    });
    backend.handle('removeHost', async ({ id }) => {
      if (!(await this.remove(id))) throw new CodedError('NOT_FOUND', `no remote host ${printable(id)} in the list`);
      return { removed: true };
    });
    backend.handle('getHostTopologies', async ({ refresh }) => this.topologies(refresh ?? false));
    backend.handle('findOnHosts', async ({ query, hosts }) => this.findOnHosts(backend, query, hosts));
    // Refresh while anyone watches the hosts; sleep otherwise.
    backend.watchListeners((event) => {
      if (event !== 'hosts') return;
      if (backend.listenerCount('hosts') > 0) this.startWatching();
      else this.stopWatching();
    });
    backend.onClose(() => this.close());
  }

  private startWatching(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const h of this.hosts.values()) if (h.due()) void this.refreshOne(h);
    }, this.o.refreshMs ?? 3000);
    this.timer.unref();
    for (const h of this.hosts.values()) void this.refreshOne(h);
  }

  private stopWatching(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async refreshOne(h: RemoteHost): Promise<void> {
    await h.refresh();
    if (this.hosts.get(h.address.id) === h) this.emit();
  }

  private emit(): void {
    this.backend?.emit('hosts', this.snapshot());
  }

  async close(): Promise<void> {
    this.stopWatching();
    await this.captures.stopAll();
    await Promise.all([...this.hosts.values()].map((h) => h.close()));
  }
}

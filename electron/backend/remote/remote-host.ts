// One remote host: its status, its last topology and rates, and the round trips that
// refresh them. Every round trip has its own timeout; a failure is remembered with a
// reason and retried with backoff, so one slow or dead host never holds up another.
import type { HostStatus, Topology } from '../../../shared/topology';
import type { RatesSample } from '../../../shared/rates';
import { CodedError, toErrorInfo } from '../../../shared/result';
import { listDockerContainers, type DockerListing } from '../../engines/docker';
import type { Counters } from '../../kernel/proc-net-dev';
import { buildTopology } from '../topology/build-topology';
import type { HostAddress } from './host-url';
import { parseDiscovery, type RemoteDiscovery } from './discovery-parse';

function withTimeout<T>(p: Promise<T>, ms: number, id: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new CodedError('HELPER_UNAVAILABLE', `${id}: no answer within ${Math.round(ms / 1000)} s (the host is slow or unreachable)`)), ms)))]).finally(() => clearTimeout(t));
}
import { CLOCK, PROBE } from './remote-scripts';
import { RemoteSession } from './remote-session';
import { discoverWithHelper, remoteHelperClient } from './remote-helper';
import type { HelperClient } from '../helper-client/helper-client';
import { remoteRates } from './remote-rates';
import { describeSshFailure } from './ssh';
import type { RemoteTransport } from './transport';
import { monotonicMs } from '../../util/clock';

const DISCOVER_TIMEOUT_MS = 20_000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

export interface RemoteHostOptions {
  source: HostStatus['source'];
  context?: string | null;
  transport: RemoteTransport;
  /** How long one discovery may take (default 20 s). */
  timeoutMs?: number;
}

export class RemoteHost {
  readonly status: HostStatus;
  topology: Topology | null = null;
  rates: RatesSample | null = null;
  /** Namespace of the SSH session there (from the last discovery). */
  sessionInode: number | null = null;
  private lastCounters: { at: number; counters: Map<number, Map<string, Counters>> } | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  private refreshedAt = 0;
  private via: 'helper' | 'commands' | null = null;
  private helper: HelperClient | null = null;
  private helperProblem: string | null = null;
  private helperWorked = false;
  private readonly session: RemoteSession;
  private retryAtMs = 0;

  constructor(
    readonly address: HostAddress,
    private readonly o: RemoteHostOptions,
  ) {
    this.session = new RemoteSession(o.transport);
    this.status = { id: address.id, name: address.name, url: address.url, source: o.source, context: o.context ?? null, state: 'connecting', lastError: null, latencyMs: null, lastSeen: null, remoteHostname: null, via: null, retryAt: null };
  }

  get transport(): RemoteTransport {
    return this.o.transport;
  }

  /** Whether a refresh now would respect the backoff after failures. */
  due(now = Date.now()): boolean {
    return now >= this.retryAtMs;
  }

  /** The map no older than `maxAgeMs` (one round trip when it is older); never rejects. */
  async fresh(maxAgeMs: number): Promise<void> {
    if (this.topology && this.status.state === 'reachable' && Date.now() - this.refreshedAt <= maxAgeMs) return;
    await this.refresh();
  }

  /** One discovery round trip (shared by concurrent callers); never rejects: failures become status. */
  refresh(): Promise<void> {
    this.inFlight ??= this.discoverOnce().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Whether vethscope's helper is installed there (asked once, in the first round trip). */
  private async chooseVia(): Promise<void> {
    if (this.via) return;
    const r = await this.o.transport.run(PROBE, [], { privileged: false, timeoutMs: this.o.timeoutMs ?? DISCOVER_TIMEOUT_MS });
    this.via = /^helper yes$/m.test(r.stdout) ? 'helper' : 'commands';
    if (this.via === 'helper') this.helper = remoteHelperClient(this.o.transport);
  }

  private async discoverOnce(): Promise<void> {
    const started = monotonicMs();
    try {
      await this.chooseVia();
      if (this.helper) {
        try {
          await this.discoverThroughHelper(started);
          this.helperWorked = true;
          return;
        } catch (err) {
          // It answered before: the host (or the connection) is what failed; the next refresh starts the helper again.
          if (this.helperWorked) throw err;
          // Installed but not usable (sudo refuses it, an older protocol): the fixed command set, and say why.
          this.helperProblem = `vethscope's helper there could not be used (${toErrorInfo(err).message}): the fixed command set is used instead`;
          await this.helper.close().catch(() => undefined);
          this.helper = null;
          this.via = 'commands';
        }
      }
      const stdout = await this.session.request('discover', this.o.timeoutMs ?? DISCOVER_TIMEOUT_MS);
      const latency = monotonicMs() - started;
      const d = parseDiscovery(stdout);
      this.topology = await this.build(d, started);
      if (this.helperProblem) this.topology.warnings.unshift(this.helperProblem);
      this.sessionInode = d.sessionInode;
      this.updateRates(d.counters);
      this.reached(latency, d.hostname || null, 'commands');
    } catch (err) {
      this.failed(err);
    }
  }

  private async discoverThroughHelper(started: number): Promise<void> {
    const d = await withTimeout(discoverWithHelper(this.helper!, `${this.address.url} (docker on the host, through vethscope's helper there)`), this.o.timeoutMs ?? DISCOVER_TIMEOUT_MS, this.address.id);
    const latency = monotonicMs() - started;
    this.topology = buildTopology(d.listing, d.scan, 'helper', started);
    this.sessionInode = d.scan.hostInode;
    this.updateRates(d.counters);
    this.reached(latency, this.status.remoteHostname, 'helper');
  }

  private reached(latency: number, remoteHostname: string | null, via: 'helper' | 'commands'): void {
    Object.assign(this.status, { state: 'reachable', lastError: null, latencyMs: Math.round(latency), lastSeen: new Date().toISOString(), remoteHostname, via, retryAt: null });
    this.failures = 0;
    this.retryAtMs = 0;
    this.refreshedAt = Date.now();
  }

  private failed(err: unknown): void {
    this.failures++;
    const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (this.failures - 1));
    this.retryAtMs = Date.now() + wait;
    Object.assign(this.status, { state: 'unreachable', lastError: toErrorInfo(err), retryAt: new Date(this.retryAtMs).toISOString() });
  }

  private async build(d: RemoteDiscovery, started: number): Promise<Topology> {
    const endpoint = `${this.address.url} (docker on the host)`;
    const listing: DockerListing = d.docker
      ? await listDockerContainers(d.docker, endpoint)
      : { status: { available: false, endpoint, error: { code: 'DOCKER_UNAVAILABLE', message: `${this.address.id}: ${d.dockerError ?? 'Docker could not be asked'}` } }, containers: [] };
    const mode = d.uid === 0 ? 'root' : 'none';
    const privErr = d.uid === 0 ? undefined : { code: 'PERMISSION_DENIED', message: `${this.address.id}: not root there and no passwordless sudo: only the host namespace was read` };
    return buildTopology(listing, d.scan, mode, started, privErr);
  }

  private updateRates(counters: Map<number, Map<string, Counters>>): void {
    const now = Date.now();
    if (this.lastCounters && this.topology) this.rates = remoteRates(this.topology, this.lastCounters.counters, counters, (now - this.lastCounters.at) / 1000, now);
    this.lastCounters = { at: now, counters };
  }

  /**
   * The host's clock against ours, measured at capture start: `date +%s%N` over one open
   * channel, a few round trips, the shortest kept (as NTP does); offset = remote - midpoint
   * (ms). Timestamps stay as the host recorded them; the offset is written beside them.
   */
  clockOffset(samples = 5): Promise<{ offsetMs: number; roundTripMs: number }> {
    const child = this.o.transport.spawn(CLOCK, [], 'pipe', false);
    const id = this.address.id;
    return new Promise((resolve, reject) => {
      let best: { offsetMs: number; roundTripMs: number } | null = null;
      let sentAt = 0;
      let n = 0;
      let buf = '';
      let stderr = '';
      const timer = setTimeout(() => finish(new CodedError('HELPER_UNAVAILABLE', `${id}: its clock did not answer within 10 s`)), 10_000);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        child.stdin?.end();
        child.kill('SIGTERM');
        if (best) resolve(best);
        else reject(err ?? new CodedError('INTERNAL', `${id}: its clock could not be read`));
      };
      const ask = () => {
        sentAt = performance.timeOrigin + performance.now();
        child.stdin!.write('\n');
      };
      child.stdin!.on('error', () => undefined);
      child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
      child.on('close', (code) => (best ? finish() : finish(code === 255 ? describeSshFailure(id, { code, stderr }) : undefined)));
      child.stdout!.on('data', (c: Buffer) => {
        buf += c.toString('utf8');
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          const now = performance.timeOrigin + performance.now();
          if (!/^\d{10,20}$/.test(line)) return finish(new CodedError('INTERNAL', `${id}: date +%s%N printed ${JSON.stringify(line.slice(0, 40))}`));
          const rtt = now - sentAt;
          const offsetMs = Number(BigInt(line) / 1000n) / 1000 - (sentAt + rtt / 2);
          if (!best || rtt < best.roundTripMs) best = { offsetMs, roundTripMs: rtt };
          if (++n >= samples) return finish();
          ask();
        }
      });
      ask();
    });
  }

  async close(): Promise<void> {
    this.session.close();
    await this.helper?.close().catch(() => undefined);
    await this.o.transport.close();
  }
}

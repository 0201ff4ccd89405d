// Live rates on the Backend: getRates, getRateHistory and 'rates' events.
// Sampling runs only while someone listens to 'rates' or called within the
// last idleMs: an idle app reads nothing and holds no timer.
import type { RatesSample } from '../../../shared/rates';
import type { Topology } from '../../../shared/topology';
import { buildPlan } from './plan';
import { Sampler } from './sampler';
import { LocalCounterSource, type CounterSource, type PrivilegedCounterReader } from './sources';
import type { Backend } from '../backend';
import { monotonicMs } from '../../util/clock';

export interface TopologyProvider {
  latest(): Topology | null;
  discover(): Promise<Topology>;
  /** Structural changes found by anyone's discovery. */
  onChange(fn: (t: Topology) => void): () => void;
}

export interface RatesServiceOptions {
  intervalSec?: number;
  idleMs?: number;
  source?: CounterSource;
  privileged?: PrivilegedCounterReader | null;
  /** Least time between two rediscoveries triggered by a stale mapping. */
  refreshMinMs?: number;
}

export class RatesService {
  intervalSec: number;
  readonly sampler: Sampler;
  private backend: Backend | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private lastCall = 0;
  private latest: RatesSample | null = null;
  private firstTick = true;
  private refreshing: Promise<void> | null = null;
  /** A change seen while a refresh ran (or too soon after one) is kept, not lost. */
  private refreshWanted = false;
  private lastRefresh = 0;
  private closed = false;
  lastErrors: string[] = [];
  /** CPU spent inside ticks (reading and computing), excluding rediscoveries. */
  tickCpuMs = 0;
  /** Rediscoveries triggered by a stale mapping. */
  refreshes = 0;
  /** Ticks run since construction (tests and the bench watch it). */
  ticks = 0;

  constructor(
    private readonly topology: TopologyProvider,
    private readonly opts: RatesServiceOptions = {},
  ) {
    this.intervalSec = opts.intervalSec ?? 1;
    this.sampler = new Sampler(opts.source ?? new LocalCounterSource(opts.privileged ?? null), { intervalSec: this.intervalSec });
  }

  register(backend: Backend): void {
    this.backend = backend;
    backend.handle('getRates', async () => {
      this.touch();
      const fresh = this.latest && Date.now() / 1000 - this.latest.time <= this.intervalSec * 2 + 1;
      return fresh ? this.latest : null;
    });
    backend.handle('getRatesStatus', async () => ({ sampling: this.running, errors: [...this.lastErrors] }));
    backend.handle('getRateHistory', async ({ netns, name, seconds }) => {
      this.touch();
      return this.sampler.history(netns, name, seconds);
    });
    backend.watchListeners((event) => {
      if (event === 'rates' && backend.listenerCount('rates') > 0) this.start();
    });
    // Someone else rediscovered: adopt the new mapping without a scan of our own.
    this.topology.onChange((topo: Topology) => this.sampler.setPlan(buildPlan(topo)));
    backend.onClose(() => this.close());
  }

  /** Change the sampling interval (the CLI's --interval); applies from the next tick. */
  setIntervalSec(sec: number): void {
    if (!(sec > 0)) throw new Error('interval must be positive');
    this.intervalSec = sec;
    this.sampler.setIntervalSec(sec);
  }

  isRunning(): boolean {
    return this.running;
  }

  latestSample(): RatesSample | null {
    return this.latest;
  }

  private touch(): void {
    this.lastCall = Date.now();
    this.start();
  }

  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    this.firstTick = true;
    this.sampler.tracker.clear();
    this.schedule(0);
  }

  stop(): void {
    this.opts.privileged?.releaseAll?.();
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  close(): void {
    this.closed = true;
    this.stop();
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private idle(): boolean {
    const listeners = this.backend ? this.backend.listenerCount('rates') : 0;
    return listeners === 0 && Date.now() - this.lastCall > (this.opts.idleMs ?? 30_000);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    if (this.idle()) {
      this.stop();
      return;
    }
    const started = monotonicMs();
    try {
      if (!this.sampler.hasPlan()) this.sampler.setPlan(buildPlan(this.topology.latest() ?? (await this.topology.discover())));
      const cpu0 = process.cpuUsage();
      const { sample, stale, errors } = await this.sampler.tick();
      const cpu = process.cpuUsage(cpu0);
      this.tickCpuMs += (cpu.user + cpu.system) / 1000;
      this.ticks++;
      this.lastErrors = errors;
      if (stale) this.refreshWanted = true;
      this.maybeRefresh();
      // The first reading after a start is only a baseline: nothing to report yet.
      if (!this.firstTick && this.running) {
        this.latest = sample;
        this.backend?.emit('rates', sample);
      }
      this.firstTick = false;
    } catch (err) {
      this.lastErrors = [(err as Error).message];
    }
    if (!this.running) {
      this.opts.privileged?.releaseAll?.(); // stopped while this tick was reading
      return;
    }
    // setTimeout chain rather than setInterval: a slow tick never overlaps the next.
    this.schedule(Math.max(0, this.intervalSec * 1000 - (monotonicMs() - started)));
  }

  /** Rediscover (at most one at a time, not more often than refreshMinMs) and remap. */
  private maybeRefresh(): void {
    if (!this.refreshWanted || this.refreshing || Date.now() - this.lastRefresh < (this.opts.refreshMinMs ?? 5000)) return;
    this.refreshWanted = false;
    this.refreshes++;
    this.lastRefresh = Date.now();
    this.refreshing = this.topology
      .discover()
      .then((topo) => {
        if (!this.closed) this.sampler.setPlan(buildPlan(topo));
      })
      .catch((err: Error) => {
        this.lastErrors = [`topology refresh: ${err.message}`];
      })
      .finally(() => {
        this.refreshing = null;
      });
  }
}

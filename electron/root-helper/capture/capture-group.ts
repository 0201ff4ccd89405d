// One capture as root sees it: a group of tcpdumps the client started together (and
// attached later), polled for their counters, stopped together. No packet passes
// through here: each tcpdump writes straight to the output the client chose.
import type { HelperEventData, HelperParsedParams, HelperResult, TcpdumpSpec } from '../../../shared/helper-protocol';
import { CodedError } from '../../../shared/result';
import type { Invoker } from '../identity';
import { TcpdumpRunner, type RunnerOptions } from './tcpdump-runner';

type Emit = <E extends 'captureStats' | 'captureIfaceEnded'>(event: E, data: HelperEventData<E>) => void;

const POLL_MS = 1000;

export class CaptureGroup {
  readonly runners: TcpdumpRunner[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private lastReport = '';
  private stopping: Promise<HelperResult<'stopCapture'>> | null = null;

  constructor(
    readonly id: string,
    private readonly options: Omit<RunnerOptions, 'bufferKiB'>,
    private readonly invoker: Invoker,
    private readonly emit: Emit,
    maxDurationSec: number,
  ) {
    this.timers.push(setInterval(() => this.poll(), POLL_MS));
    // Whatever the client does, no tcpdump outlives the cap.
    this.timers.push(setTimeout(() => void this.stop(), maxDurationSec * 1000));
  }

  get done(): boolean {
    return this.stopping !== null;
  }

  live(): TcpdumpRunner[] {
    return this.runners.filter((r) => !r.ended);
  }

  /** Start one more tcpdump (one of `startingTogether`); resolves once it listens. */
  async add(spec: TcpdumpSpec, bufferKiB: number, startingTogether = 1): Promise<HelperResult<'attachInterface'>> {
    if (this.stopping) throw new CodedError('ALREADY_STOPPED', `capture ${this.id} has ended`);
    const runner = new TcpdumpRunner(this.runners.length, spec, (r) => this.ended(r));
    this.runners.push(runner);
    await runner.start({ ...this.options, bufferKiB }, this.invoker, startingTogether);
    return { index: runner.index, linkType: runner.linkType, bufferKiB, ...(runner.pid ? { pid: runner.pid } : {}) };
  }

  private ended(r: TcpdumpRunner): void {
    // One that never listened failed its start: the start's own reply says why.
    if (this.stopping || r.ended === 'stopped' || !r.listening) return;
    this.emit('captureIfaceEnded', { captureId: this.id, index: r.index, reason: r.ended!, message: r.endMessage ?? '', counters: r.counters() });
  }

  private poll(): void {
    for (const r of this.runners) r.poll();
    // tcpdump answers SIGUSR1 within milliseconds; report what the previous poll brought.
    const ifaces = this.runners.map((r) => r.counters());
    const key = JSON.stringify(ifaces);
    if (key === this.lastReport) return;
    this.lastReport = key;
    this.emit('captureStats', { captureId: this.id, ifaces });
  }

  /** SIGINT every tcpdump; resolves with their final counters once all have exited. Idempotent. */
  stop(): Promise<HelperResult<'stopCapture'>> {
    this.stopping ??= (async () => {
      for (const t of this.timers) clearTimeout(t);
      await Promise.all(this.runners.map((r) => r.stop()));
      return { captureId: this.id, ifaces: this.runners.map((r) => r.counters()) };
    })();
    return this.stopping;
  }
}

export type StartParams = HelperParsedParams<'startCapture'>;

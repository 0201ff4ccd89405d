// Keeps every viewer's topology live without each one polling full discovery:
// Docker's event stream triggers a rescan within ~debounce ms of a container or
// network change, and a periodic rescan catches what Docker does not announce
// (`ip netns add`, other runtimes). TopologyService emits 'topology' only when the
// structure changed. Runs only while someone listens to 'topology'.
import type { Readable } from 'node:stream';
import type { Backend } from '../backend';
import type { TopologyService } from './topology-service';

export interface TopologyWatcherOptions {
  /** Rescan this often even without Docker events. */
  rescanMs?: number;
  /** Coalesce bursts of Docker events (compose up starts many containers). */
  debounceMs?: number;
  /** First delay before reconnecting to Docker's event stream; doubles up to 8 s. */
  reconnectMs?: number;
}

/** Container and network actions that can change wiring. */
const WIRING_ACTIONS = new Set(['create', 'start', 'restart', 'die', 'kill', 'stop', 'destroy', 'rename', 'pause', 'unpause', 'connect', 'disconnect', 'remove']);

export class TopologyWatcher {
  private running = false;
  private rescanTimer: NodeJS.Timeout | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stream: Readable | null = null;
  private reconnectDelay: number;
  private readonly opts: Required<TopologyWatcherOptions>;
  /** Docker events seen (for tests and diagnostics). */
  eventsSeen = 0;

  constructor(
    private readonly topology: TopologyService,
    opts: TopologyWatcherOptions = {},
  ) {
    this.opts = { rescanMs: opts.rescanMs ?? 3000, debounceMs: opts.debounceMs ?? 100, reconnectMs: opts.reconnectMs ?? 500 };
    this.reconnectDelay = this.opts.reconnectMs;
  }

  /** Start and stop with the 'topology' audience. */
  register(backend: Backend): void {
    const sync = () => (backend.listenerCount('topology') > 0 ? this.start() : this.stop());
    backend.watchListeners((event) => {
      if (event === 'topology') sync();
    });
    backend.onClose(() => this.stop());
    sync();
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.rescanTimer = setInterval(() => this.rescan(), this.opts.rescanMs);
    this.rescanTimer.unref();
    this.connect();
    this.rescan();
  }

  stop(): void {
    this.running = false;
    for (const t of [this.rescanTimer, this.debounceTimer, this.reconnectTimer]) if (t) clearTimeout(t);
    this.rescanTimer = this.debounceTimer = this.reconnectTimer = null;
    this.stream?.destroy();
    this.stream = null;
  }

  private rescan(): void {
    // Errors are in the topology itself (docker.available=false...); nothing to do here.
    this.topology.discover().catch(() => undefined);
  }

  private schedule(): void {
    if (!this.running || this.debounceTimer) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      this.rescan();
    }, this.opts.debounceMs);
  }

  private connect(): void {
    if (!this.running) return;
    this.topology.docker.getEvents({ filters: { type: ['container', 'network'] } }).then(
      (stream) => {
        const s = stream as unknown as Readable;
        if (!this.running) return s.destroy();
        this.stream = s;
        this.reconnectDelay = this.opts.reconnectMs;
        let buffered = '';
        s.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 1);
            this.onEventLine(line);
          }
          if (buffered.length > 1 << 20) buffered = ''; // a runaway line is not an event
        });
        const lost = () => {
          if (this.stream !== s) return;
          this.stream = null;
          this.reconnectLater();
        };
        s.on('end', lost);
        s.on('error', lost);
        s.on('close', lost);
      },
      () => this.reconnectLater(),
    );
  }

  private onEventLine(line: string): void {
    try {
      const ev = JSON.parse(line) as { Action?: string; status?: string };
      const action = (ev.Action ?? ev.status ?? '').split(':')[0]!;
      this.eventsSeen++;
      if (WIRING_ACTIONS.has(action)) this.schedule();
    } catch {
      /* not JSON: ignore */
    }
  }

  /** Docker went away (stopped, restarted): say so now via a rescan, and keep trying to reconnect. */
  private reconnectLater(): void {
    if (!this.running || this.reconnectTimer) return;
    this.rescan();
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, this.reconnectDelay);
    this.reconnectTimer.unref();
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 8000);
  }
}

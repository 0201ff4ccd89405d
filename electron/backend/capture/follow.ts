// Follow a container across restarts: poll the topology every 250 ms (cheap,
// and needs no Docker event stream that could stall) until the container runs
// again with a namespace, then hand back its interfaces resolved afresh.
import type { Topology } from '../../../shared/topology';
import { resolveContainer, type ResolvedIface } from './targets';

export interface FollowSpec {
  containerId: string;
  containerName: string;
  /** Interface names inside the container to re-attach (eth0...). */
  innerNames: string[];
  filter: string;
  target: number;
  /** `netns/iface` keys of the interfaces that went away: a match means Docker has not finished restarting. */
  stale: Set<string>;
}

export class Follower {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy = false;
  private missingSince: number | null = null;

  constructor(
    private readonly spec: FollowSpec,
    private readonly discover: () => Promise<Topology>,
    private readonly onBack: (ifaces: ResolvedIface[]) => Promise<void>,
    private readonly intervalMs = 250,
    /** Called once when the container (by id, or a re-created one by name) has been absent this long: it was removed. */
    private readonly onRemoved?: () => void,
    private readonly removedAfterMs = 10_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const topo = await this.discover();
      // Same id after `docker restart`; same name after a re-create (compose up).
      const c = topo.containers.find((x) => x.id === this.spec.containerId) ?? topo.containers.find((x) => x.name === this.spec.containerName);
      if (!c) {
        // Removed (a re-create by compose is absent only for a moment).
        const now = Date.now();
        this.missingSince ??= now;
        if (now - this.missingSince >= this.removedAfterMs && this.onRemoved) {
          this.stop();
          this.onRemoved();
        }
        return;
      }
      this.missingSince = null;
      if (c.state !== 'running' || c.netns === null) return;
      const present = this.spec.innerNames.filter((n) => c.interfaces.some((i) => i.name === n));
      if (present.length === 0) return; // namespace up but interfaces not plugged in yet
      const ifaces = resolveContainer(topo, c, present, this.spec.filter, this.spec.target);
      if (ifaces.some((r) => this.spec.stale.has(`${r.atNetns}/${r.iface}`))) return;
      if (this.stopped) return;
      this.stop();
      await this.onBack(ifaces);
    } catch {
      /* not back yet (or a transient Docker error): try again next tick */
    } finally {
      this.busy = false;
    }
  }
}

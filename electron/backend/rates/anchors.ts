// As root, a namespace that has no process (an `ip netns` bind mount) gets one
// parked `nsenter --net=PATH sleep` child while sampling runs; its
// /proc/PID/net/dev is then read every tick like any other process's, instead
// of spawning nsenter each tick (~7 ms of CPU per namespace per tick).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { parseNsLink } from '../../kernel/namespaces';
import { findTool } from '../../util/exec';
import { parseProcNetDev, type Counters } from '../../kernel/proc-net-dev';
import type { PrivilegedCounterReader } from './sources';

export class NamespaceAnchors implements PrivilegedCounterReader {
  private readonly anchors = new Map<number, { child: ChildProcess; path: string }>();

  constructor(
    private readonly setpriv: string,
    private readonly nsenter: string,
    private readonly sleep: string,
  ) {}

  static create(): NamespaceAnchors | null {
    const setpriv = findTool('setpriv');
    const nsenter = findTool('nsenter');
    const sleep = findTool('sleep');
    if (process.getuid?.() !== 0 || !setpriv || !nsenter || !sleep) return null;
    return new NamespaceAnchors(setpriv, nsenter, sleep);
  }

  async read(handles: Array<{ inode: number; path: string }>): Promise<Map<number, Map<string, Counters> | string>> {
    const wanted = new Set(handles.map((h) => h.inode));
    for (const [inode, a] of this.anchors) if (!wanted.has(inode)) this.drop(inode, a.child);
    const out = new Map<number, Map<string, Counters> | string>();
    for (const h of handles) {
      let a = this.anchors.get(h.inode);
      if (a && a.path !== h.path) {
        this.drop(h.inode, a.child);
        a = undefined;
      }
      if (!a) {
        // `setpriv --pdeathsig KILL nsenter --net=PATH -- sleep`: argv only; the child lives until
        // released, or until this process dies (even by SIGKILL), so it is never left behind.
        const child = spawn(this.setpriv, ['--pdeathsig', 'KILL', '--', this.nsenter, `--net=${h.path}`, '--', this.sleep, '2147483647'], { stdio: 'ignore' });
        child.on('error', () => undefined);
        child.on('exit', () => {
          if (this.anchors.get(h.inode)?.child === child) this.anchors.delete(h.inode);
        });
        a = { child, path: h.path };
        this.anchors.set(h.inode, a);
      }
      out.set(h.inode, this.readAnchor(a.child, h.inode));
    }
    return out;
  }

  private readAnchor(child: ChildProcess, inode: number): Map<string, Counters> | string {
    const pid = child.pid;
    if (pid === undefined) return 'could not start nsenter';
    try {
      // Until setpriv and nsenter have exec'd into the namespace the link still shows ours: wait for the next tick.
      if (parseNsLink(readlinkSync(`/proc/${pid}/ns/net`)) !== inode) return 'entering namespace';
      return parseProcNetDev(readFileSync(`/proc/${pid}/net/dev`, 'latin1'));
    } catch (e) {
      return (e as Error).message;
    }
  }

  private drop(inode: number, child: ChildProcess): void {
    this.anchors.delete(inode);
    child.kill('SIGKILL');
  }

  /** Kill every parked child (sampling stopped or the backend closes). */
  releaseAll(): void {
    for (const [inode, a] of this.anchors) this.drop(inode, a.child);
  }

  get size(): number {
    return this.anchors.size;
  }
}

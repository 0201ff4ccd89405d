// The long-lived SESSION shell of one host: requests by name, one at a time, each answer
// read up to its `vethscope-done` line (capped), a timeout per request. When the channel dies
// (ssh exits) the waiting request fails with ssh's words, and the next one starts a new session.
import type { ChildProcess } from 'node:child_process';
import { CodedError } from '../../../shared/result';
import { SESSION } from './remote-scripts';
import { describeSshFailure } from './ssh';
import type { RemoteTransport } from './transport';

const MAX_ANSWER = 64 << 20;
const DONE = '\nvethscope-done\n';

interface Waiter {
  resolve(text: string): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class RemoteSession {
  private child: ChildProcess | null = null;
  private chunks: Buffer[] = [];
  private size = 0;
  private stderr = '';
  private waiter: Waiter | null = null;

  constructor(private readonly transport: RemoteTransport) {}

  private get id(): string {
    return this.transport.address.id;
  }

  request(name: 'discover', timeoutMs: number): Promise<string> {
    if (this.waiter) return Promise.reject(new CodedError('INTERNAL', `${this.id}: a request is already waiting`));
    const child = this.ensure();
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new CodedError('HELPER_UNAVAILABLE', `${this.id}: no answer within ${Math.round(timeoutMs / 1000)} s (the host is slow or unreachable)`));
        this.kill();
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
      this.chunks = [];
      this.size = 0;
      child.stdin!.write(`${name}\n`);
    });
  }

  private ensure(): ChildProcess {
    if (this.child) return this.child;
    const child = this.transport.spawn(SESSION, [], 'pipe', true);
    this.child = child;
    this.stderr = '';
    child.stdin!.on('error', () => undefined);
    child.stderr!.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString('utf8')).slice(-8192)));
    child.stdout!.on('data', (c: Buffer) => this.onData(c));
    child.on('close', (code) => {
      if (this.child === child) this.child = null;
      const err = code === 255 ? describeSshFailure(this.id, { code, stderr: this.stderr }) : new CodedError('HELPER_UNAVAILABLE', `${this.id}: the remote session ended (${code}): ${this.stderr.trim().split('\n').pop()?.slice(0, 200) ?? ''}`);
      this.fail(err);
    });
    child.on('error', (e) => this.fail(new CodedError('HELPER_UNAVAILABLE', `${this.id}: ${e.message}`)));
    return child;
  }

  private onData(c: Buffer): void {
    if (!this.waiter) return; // nothing asked: a remote that talks out of turn is ignored
    this.chunks.push(c);
    this.size += c.length;
    if (this.size > MAX_ANSWER) {
      this.fail(new CodedError('INTERNAL', `${this.id}: its answer passed ${MAX_ANSWER >> 20} MiB: refused`));
      this.kill();
      return;
    }
    // The end marker can only be at the end of what arrived so far.
    const tail = Buffer.concat(this.chunks.slice(-2)).toString('utf8');
    if (!tail.endsWith(DONE)) return;
    const text = Buffer.concat(this.chunks).toString('utf8');
    const w = this.waiter;
    this.waiter = null;
    clearTimeout(w.timer);
    w.resolve(text.slice(0, text.length - DONE.length + 1));
  }

  private fail(e: Error): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    clearTimeout(w.timer);
    w.reject(e);
  }

  private kill(): void {
    this.child?.kill('SIGTERM');
    this.child = null;
  }

  close(): void {
    this.child?.stdin?.end();
    this.kill();
  }
}

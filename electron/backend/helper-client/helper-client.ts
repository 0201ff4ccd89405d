// The unprivileged side of the helper: starts it (directly as root, else via
// sudo or pkexec), speaks the JSON-lines protocol, and restarts it on the next
// request after it died. Also the NamespaceScanner the topology service uses
// when we are not root.
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { HELPER_MAX_LINE, HelperReply, helperEvents, helperOps, type HelperEvent, type HelperEventData, type HelperOp, type HelperParams, type HelperResult } from '../../../shared/helper-protocol';
import { CodedError, type ErrorCode } from '../../../shared/result';
import type { NamespaceScan } from '../../kernel/namespaces';
import type { HelperPort } from '../capture/helper-port';
import type { NamespaceScanner } from '../topology/topology-service';
import { findTool as defaultFindTool } from '../../util/exec';
import { distPath } from '../../util/package-root';
import { classifyLaunchFailure, planLaunch, type Elevation, type ElevationMode } from './elevation';
import { LineSplitter } from '../../formats/line-splitter';

export interface HelperClientOptions {
  elevation?: Elevation;
  /** A terminal is there to answer sudo's password prompt (CLI). */
  interactive?: boolean;
  helperPath?: string;
  nodePath?: string;
  spawn?: typeof nodeSpawn;
  findTool?: (name: string) => string | null;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  /** How long the helper may take to say hello (a password prompt takes a while). */
  helloTimeoutMs?: number;
}


interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

/** dist/helper.cjs of this checkout or install. */
export function defaultHelperPath(): string {
  return distPath('helper.cjs');
}

export class HelperClient implements NamespaceScanner, HelperPort {
  private child: ChildProcess | null = null;
  private starting: Promise<void> | null = null;
  private ready = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly events = new EventEmitter();
  private lastErr: { code: ErrorCode; message: string } | undefined;
  private launchedMode: ElevationMode | null = null;
  private closed = false;
  identity: HelperResult<'hello'> | null = null;

  constructor(private readonly o: HelperClientOptions = {}) {
    this.events.setMaxListeners(0);
  }

  private get uid(): number {
    return this.o.uid ?? process.getuid?.() ?? -1;
  }

  /** Start the helper if it is not running; rejects with HELPER_REFUSED / HELPER_UNAVAILABLE. */
  start(): Promise<void> {
    if (this.ready && this.child) return Promise.resolve();
    if (!this.starting) {
      this.starting = this.launch().finally(() => {
        this.starting = null;
      });
    }
    return this.starting;
  }

  private async launch(): Promise<void> {
    this.closed = false;
    const helperPath = this.o.helperPath ?? defaultHelperPath();
    let plan;
    try {
      if (!existsSync(helperPath)) throw new CodedError('HELPER_UNAVAILABLE', `helper not built: ${helperPath} is missing (npm run build)`);
      plan = planLaunch({
        elevation: this.o.elevation ?? 'auto',
        uid: this.uid,
        gid: this.o.gid ?? process.getgid?.() ?? -1,
        env: this.o.env ?? process.env,
        interactive: this.o.interactive ?? false,
        nodePath: this.o.nodePath ?? process.execPath,
        helperPath,
        findTool: this.o.findTool ?? defaultFindTool,
      });
    } catch (e) {
      throw this.remember(e as CodedError);
    }
    this.launchedMode = plan.mode;
    const spawn = this.o.spawn ?? nodeSpawn;
    // stdin 'inherit' would let sudo/pkexec prompt on it; they use /dev/tty instead.
    const child = spawn(plan.argv[0]!, plan.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: plan.env, shell: false });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-8192);
    });
    const splitter = new LineSplitter(HELPER_MAX_LINE);
    child.stdout!.on('data', (c: Buffer) => {
      for (const ev of splitter.push(c)) if ('line' in ev) this.onLine(ev.line);
    });
    child.stdin!.on('error', () => undefined); // EPIPE when it died: 'exit' reports it
    const exited = new Promise<{ code: number | null; err?: Error }>((resolve) => {
      child.on('error', (err) => resolve({ code: null, err }));
      child.on('exit', (code) => resolve({ code }));
    });
    void exited.then(() => this.onExit(child));
    const hello = this.send('hello', {}).then((r) => this.checked('hello', r));
    const timeoutMs = this.o.helloTimeoutMs ?? (this.o.interactive || plan.mode === 'pkexec' ? 120_000 : 15_000);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CodedError('HELPER_UNAVAILABLE', `the helper did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const launchFailed = exited.then(({ code, err }) => {
        if (err) throw new CodedError('HELPER_UNAVAILABLE', `cannot run ${plan.argv[0]}: ${err.message}`);
        throw classifyLaunchFailure(plan.mode, code, stderr);
      });
      // A hello cut short by the exit is explained by how sudo/pkexec exited, not as HELPER_DIED.
      const r = await Promise.race([hello.catch(() => launchFailed), launchFailed, timeout]);
      this.identity = r as HelperResult<'hello'>;
      this.ready = true;
      this.lastErr = undefined;
    } catch (e) {
      child.kill('SIGTERM');
      this.child = null;
      throw this.remember(e instanceof CodedError ? e : new CodedError('HELPER_UNAVAILABLE', String(e)));
    } finally {
      clearTimeout(timer);
    }
  }

  private remember(e: CodedError): CodedError {
    this.lastErr = { code: e.code, message: e.message };
    return e;
  }

  private onLine(line: string): void {
    let msg: HelperReply;
    try {
      msg = HelperReply.parse(JSON.parse(line));
    } catch {
      return; // not ours to crash over; the helper only writes protocol lines
    }
    if ('event' in msg) {
      const schema = helperEvents[msg.event as HelperEvent];
      if (!schema) return;
      const data = schema.safeParse(msg.data);
      if (data.success) this.events.emit(msg.event, data.data);
      return;
    }
    if (msg.id === null) return; // a reply to a line it could not read: nobody waits for it
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new CodedError(msg.error.code as ErrorCode, msg.error.message));
  }

  private onExit(child: ChildProcess): void {
    if (this.child === child) {
      this.child = null;
      this.ready = false;
    }
    const pend = [...this.pending.values()];
    this.pending.clear();
    if (!this.closed && pend.length) this.remember(new CodedError('HELPER_DIED', 'the privileged helper exited'));
    for (const p of pend) p.reject(new CodedError('HELPER_DIED', 'the privileged helper exited; the next action starts a new one'));
    this.events.emit('helperExit');
  }

  private send(op: string, params: unknown): Promise<unknown> {
    const child = this.child;
    if (!child?.stdin?.writable) return Promise.reject(new CodedError('HELPER_DIED', 'the privileged helper is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.stdin!.write(JSON.stringify({ id, op, params }) + '\n');
    });
  }

  /** Send one request, starting the helper first when needed. Rejects with a CodedError. */
  async request<O extends HelperOp>(op: O, params: HelperParams<O>): Promise<HelperResult<O>> {
    await this.start();
    return this.checked(op, await this.send(op, params));
  }

  /** Every reply is checked against its op's result schema: no caller casts what root sent. */
  private checked<O extends HelperOp>(op: O, raw: unknown): HelperResult<O> {
    const r = helperOps[op].result.safeParse(raw);
    if (!r.success) throw new CodedError('INTERNAL', `the helper's reply to ${op} does not match the protocol: ${r.error.issues[0]?.message ?? 'invalid'} (is the installed helper older than this vethscope?)`);
    return r.data as HelperResult<O>;
  }

  on<E extends HelperEvent>(event: E, listener: (data: HelperEventData<E>) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  /** Called whenever the helper process exits (crash or close). */
  onExitEvent(listener: () => void): () => void {
    this.events.on('helperExit', listener);
    return () => this.events.off('helperExit', listener);
  }

  /**
   * Whether privileged work can be done now. As root the helper starts without a prompt, so it is
   * available even before (or after) it runs; a helper that died restarts on the next action, so
   * HELPER_DIED is not reported as a lasting error. Otherwise: available once a helper said hello.
   */
  status(): { available: boolean; mode: 'root' | 'helper' | 'none'; error?: { code: string; message: string } } {
    const mode = this.mode();
    const running = this.ready && this.child !== null;
    const lasting = this.lastErr && this.lastErr.code !== 'HELPER_DIED' && !running ? this.lastErr : undefined;
    return { available: running || (this.uid === 0 && !lasting), mode, ...(lasting ? { error: lasting } : {}) };
  }

  /** The helper's pid (not sudo's), once it said hello. */
  get helperPid(): number | null {
    return this.ready ? (this.identity?.pid ?? null) : null;
  }

  get processPid(): number | null {
    return this.child?.pid ?? null;
  }

  get elevationMode(): ElevationMode | null {
    return this.launchedMode;
  }

  // ---- NamespaceScanner ----
  mode(): 'root' | 'helper' | 'none' {
    if (this.uid === 0) return 'root';
    return this.lastErr && !this.ready && this.lastErr.code !== 'HELPER_DIED' ? 'none' : 'helper';
  }

  scanNamespaces(): Promise<NamespaceScan> {
    return this.request('scanNamespaces', {});
  }

  lastError(): { code: string; message: string } | undefined {
    return this.lastErr;
  }

  /** End the helper: its stdin closes, it ends captures cleanly and exits. */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.stdin!.end();
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(t);
  }
}

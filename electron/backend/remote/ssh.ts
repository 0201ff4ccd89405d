// The transport to a remote host: the system OpenSSH client, never a password. BatchMode
// (no prompt), StrictHostKeyChecking=yes (an unknown or changed host key is refused, the
// user's known_hosts and ~/.ssh/config are honoured), forwardings cleared (no listening
// port on either side), and one ControlMaster connection per host whose socket lives in a
// 0700 folder of the user, so each round trip after the first costs one channel, not a
// handshake.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodedError, type ErrorCode } from '../../../shared/result';
import { execFileResult, findTool, type ExecResult } from '../../util/exec';
import { sshDestination, type HostAddress } from './host-url';
import { remoteCommand } from './remote-scripts';
import type { RemoteTransport } from './transport';

export interface SshOptions {
  env?: NodeJS.ProcessEnv;
  /** Seconds ssh waits for the TCP connection and the handshake. */
  connectTimeoutSec?: number;
}

/** The folder of the ControlMaster sockets: ours, 0700, not a link (ssh would trust whatever socket is there). */
export function controlDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_RUNTIME_DIR?.startsWith('/') ? env.XDG_RUNTIME_DIR : tmpdir();
  const dir = join(base, `vethscope-ssh-${process.getuid?.() ?? 'u'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0)
    throw new CodedError('PERMISSION_DENIED', `${dir} must be a folder of yours that only you can enter (mode 0700): refusing to put SSH control sockets there`);
  return dir;
}

/** ssh's own words turned into a code and a sentence a person can act on. */
export function describeSshFailure(host: string, r: Pick<ExecResult, 'code' | 'stderr'>): CodedError {
  const err = r.stderr.replace(/\r/g, '').split('\n').map((l) => l.trim()).filter(Boolean);
  const last = (err.filter((l) => !/^Warning: Permanently added/.test(l)).pop() ?? `ssh exited with ${r.code}`).slice(0, 300);
  const all = err.join(' ');
  let code: ErrorCode = 'HELPER_UNAVAILABLE';
  let why = last;
  if (/Host key verification failed|No (?:ED25519|RSA|ECDSA|[A-Z0-9]+) host key is known|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(all)) {
    code = 'PERMISSION_DENIED';
    why = /CHANGED/.test(all)
      ? `its host key has CHANGED since it was recorded in known_hosts: refusing it (check with the host's owner, then remove the old line with ssh-keygen -R ${host})`
      : `its host key is not in your known_hosts: refusing an unknown host (connect once with ssh ${host} and check the fingerprint, or add it with ssh-keyscan)`;
  } else if (/Permission denied \(|Too many authentication failures/i.test(all)) {
    code = 'PERMISSION_DENIED';
    why = `it refused your SSH keys (${last}): vethscope never asks for a password; load a key into ssh-agent or name one in ~/.ssh/config`;
  } else if (/Could not resolve hostname|Name or service not known/i.test(all)) {
    code = 'NOT_FOUND';
    why = `no such host (${last})`;
  } else if (/Connection refused|Connection timed out|No route to host|Network is unreachable|timed out|Connection closed|Connection reset|closed by remote host|Broken pipe/i.test(all)) {
    code = 'HELPER_UNAVAILABLE';
    why = `it cannot be reached over SSH (${last})`;
  } else if (/a password is required|sudo: /i.test(all)) {
    code = 'PERMISSION_DENIED';
    why = `sudo there needs a password (${last}): allow this user passwordless sudo, or log in as root`;
  }
  return new CodedError(code, `${host}: ${why}`);
}

export class SshTransport implements RemoteTransport {
  readonly ssh: string;
  private readonly dir: string;

  constructor(
    readonly address: HostAddress,
    private readonly o: SshOptions = {},
  ) {
    const ssh = findTool('ssh');
    if (!ssh) throw new CodedError('UNSUPPORTED', 'remote hosts need the OpenSSH client (/usr/bin/ssh; Debian: openssh-client)');
    this.ssh = ssh;
    this.dir = controlDir(o.env);
  }

  private get env(): NodeJS.ProcessEnv {
    return this.o.env ?? process.env;
  }

  /** Everything before the remote command. `--` ends ssh's options: the destination is never one. */
  argv(extra: string[] = []): string[] {
    const a = this.address;
    const config = this.env.VETHSCOPE_SSH_CONFIG;
    return [
      ...(config?.startsWith('/') ? ['-F', config] : []),
      '-T',
      '-e', 'none',
      '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes',
      '-o', 'ClearAllForwardings=yes',
      '-o', 'ControlMaster=auto',
      // One master per vethscope host, not per ssh's %C (which hashes the resolved address): two
      // names for one address with different known_hosts must not share a checked connection.
      '-o', `ControlPath=${this.dir}/${createHash('sha256').update(`${config ?? ''}\0${a.id}`).digest('hex').slice(0, 24)}`,
      '-o', 'ControlPersist=120',
      '-o', `ConnectTimeout=${this.o.connectTimeoutSec ?? 8}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'ServerAliveCountMax=2',
      '-o', 'LogLevel=ERROR',
      ...(a.port ? ['-p', String(a.port)] : []),
      ...extra,
      '--',
      sshDestination(a),
    ];
  }

  private childEnv(): NodeJS.ProcessEnv {
    // ssh needs HOME-independent things only (it reads ~ from the password database), the agent, and a sane PATH.
    const env = this.env;
    const keep: NodeJS.ProcessEnv = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' };
    for (const k of ['HOME', 'USER', 'LOGNAME', 'SSH_AUTH_SOCK']) if (env[k]) keep[k] = env[k];
    return keep;
  }

  /** Run one fixed script there and wait for it: a CodedError from ssh's words when ssh itself failed (exit 255). */
  async run(body: string, args: readonly string[], o: { privileged?: boolean; timeoutMs?: number; maxOutputBytes?: number } = {}): Promise<ExecResult> {
    const r = await execFileResult(this.ssh, [...this.argv(), remoteCommand(body, args, o.privileged ?? true)], {
      env: this.childEnv(),
      timeoutMs: o.timeoutMs ?? 20_000,
      maxOutputBytes: o.maxOutputBytes ?? 64 << 20,
    });
    if (r.code === 255 || (r.code === null && r.signal)) {
      if (r.code === null) throw new CodedError('HELPER_UNAVAILABLE', `${this.address.id}: no answer within ${Math.round((o.timeoutMs ?? 20_000) / 1000)} s (the host is slow or unreachable)`);
      throw describeSshFailure(this.address.id, r);
    }
    return r;
  }

  /** A long-running fixed script (a capture): its stdout goes to `stdout` (an fd we opened), stdin stays ours to close. */
  spawn(body: string, args: readonly string[], stdout: number | 'pipe', privileged = true): ChildProcess {
    return spawn(this.ssh, [...this.argv(), remoteCommand(body, args, privileged)], { stdio: ['pipe', stdout, 'pipe'], env: this.childEnv(), shell: false });
  }

  /** A command run as it is by the remote login shell: only RUN_HELPER, a constant. */
  spawnConstant(command: string): ChildProcess {
    return spawn(this.ssh, [...this.argv(), command], { stdio: ['pipe', 'pipe', 'pipe'], env: this.childEnv(), shell: false });
  }

  /** The ControlMaster's pid, if one runs (tests kill it to cut the host off). */
  async masterPid(): Promise<number | null> {
    const r = await execFileResult(this.ssh, [...this.argv(['-O', 'check'])], { env: this.childEnv(), timeoutMs: 5000 });
    const m = /pid=(\d+)/.exec(r.stderr + r.stdout);
    return m ? Number(m[1]) : null;
  }

  /** Close the shared connection (the backend is closing, or the host was removed). */
  async close(): Promise<void> {
    await execFileResult(this.ssh, [...this.argv(['-O', 'exit'])], { env: this.childEnv(), timeoutMs: 5000 }).catch(() => undefined);
  }
}

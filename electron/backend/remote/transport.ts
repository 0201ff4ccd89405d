// What the remote layer needs from a way to reach a host: run one fixed script and read its
// output, and start a long-lived child whose stdio is the channel. SshTransport is one;
// `kubectl exec -i` into a node agent would be another (ARCHITECTURE.md, Kubernetes).
import type { ChildProcess } from 'node:child_process';
import type { ExecResult } from '../../util/exec';
import type { HostAddress } from './host-url';

export interface RemoteTransport {
  readonly address: HostAddress;
  /** One fixed script with validated arguments; rejects with a CodedError when the transport itself failed. */
  run(body: string, args: readonly string[], o?: { privileged?: boolean; timeoutMs?: number; maxOutputBytes?: number }): Promise<ExecResult>;
  /** A long-running fixed script: stdout to `stdout` (an fd of ours) or a pipe, stdin ours to close. */
  spawn(body: string, args: readonly string[], stdout: number | 'pipe', privileged?: boolean): ChildProcess;
  /** A constant command (RUN_HELPER) with all three stdio piped. */
  spawnConstant(command: string): ChildProcess;
  close(): Promise<void>;
}

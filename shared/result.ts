// Errors are data: every call across a process boundary returns one of these.
export type ErrorCode =
  | 'INVALID_INPUT' // the request itself is malformed; fix the arguments
  | 'NOT_FOUND' // no such container, interface, namespace or capture
  | 'AMBIGUOUS' // a name or id prefix matched more than one container
  | 'DOCKER_UNAVAILABLE' // no socket, permission denied, daemon stopped
  | 'HELPER_UNAVAILABLE' // the privileged helper could not be started
  | 'HELPER_REFUSED' // the elevation prompt was refused or cancelled
  | 'HELPER_DIED' // the helper exited; the next action starts a new one
  | 'PERMISSION_DENIED' // the user cannot write there / read that
  | 'BAD_FILTER' // tcpdump rejected the BPF filter
  | 'ALREADY_STOPPED' // stopping a capture that has already ended
  | 'TARGET_GONE' // the container or interface vanished
  | 'DISK_FULL'
  | 'UNSUPPORTED' // the kernel or platform cannot do this
  | 'INTERNAL';

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

export type Result<T> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

export const ok = <T>(result: T): Result<T> => ({ ok: true, result });
export const fail = (code: ErrorCode, message: string): { ok: false; error: ErrorInfo } => ({
  ok: false,
  error: { code, message },
});

/** An Error that carries an ErrorCode, so thrown failures can become data at the boundary. */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof CodedError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message };
}

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

/**
 * The one table from a file-system errno to a code and a sentence a person can act on
 * (creating captures, saving copies, deleting, entering a namespace all use it).
 */
export function fsFailure(errno: string | undefined, path: string, verb = 'open'): CodedError {
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return new CodedError('PERMISSION_DENIED', `cannot ${verb} ${path}: permission denied (${errno})`);
    case 'EROFS':
      return new CodedError('PERMISSION_DENIED', `cannot ${verb} ${path}: read-only file system`);
    case 'ELOOP':
      return new CodedError('PERMISSION_DENIED', `${path} is a symbolic link: refusing to follow it`);
    case 'EEXIST':
      return new CodedError('INVALID_INPUT', `${path} already exists: vethscope never overwrites a file, choose another name`);
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ESRCH':
      return new CodedError('NOT_FOUND', `cannot ${verb} ${path}: no such file or folder`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new CodedError('DISK_FULL', `no space left for ${path} (${errno})`);
    default:
      return new CodedError('INTERNAL', `cannot ${verb} ${path}${errno ? ` (${errno})` : ''}`);
  }
}

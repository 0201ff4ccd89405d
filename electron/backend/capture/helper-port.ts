// The slice of HelperClient the capture service uses, so unit tests can hand in
// a fake and the service does not depend on how the client spawns the helper.
import type { HelperEvent, HelperOp } from '../../../shared/helper-protocol';
import { CodedError, type ErrorCode } from '../../../shared/result';

export interface HelperStatus {
  available: boolean;
  mode: 'root' | 'helper' | 'none';
  error?: { code: string; message: string };
}

export interface HelperPort {
  request(op: HelperOp, params: unknown): Promise<unknown>;
  on(event: HelperEvent, listener: (data: never) => void): unknown;
  status(): HelperStatus | Promise<HelperStatus>;
}

/** request() either resolves a Result or throws: normalise to "result or CodedError". */
export async function helperCall<T = unknown>(helper: HelperPort, op: HelperOp, params: unknown): Promise<T> {
  let res: unknown;
  try {
    res = await helper.request(op, params);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new CodedError((e.code as ErrorCode) ?? 'HELPER_UNAVAILABLE', e.message ?? String(err));
  }
  if (res && typeof res === 'object' && 'ok' in res) {
    const r = res as { ok: boolean; result?: unknown; error?: { code: string; message: string } };
    if (!r.ok) throw new CodedError((r.error?.code as ErrorCode) ?? 'INTERNAL', r.error?.message ?? `${op} failed`);
    return r.result as T;
  }
  return res as T;
}

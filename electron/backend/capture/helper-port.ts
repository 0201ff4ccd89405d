// The slice of HelperClient the capture service uses, so unit tests can hand in
// a fake and the service does not depend on how the client spawns the helper.
import type { z } from 'zod';
import type { HelperEvent, HelperOp, helperEvents, helperOps } from '../../../shared/helper-protocol';
import { CodedError, type ErrorCode } from '../../../shared/result';

export interface HelperStatus {
  available: boolean;
  mode: 'root' | 'helper' | 'none';
  error?: { code: string; message: string };
}

export type HelperParams<O extends HelperOp> = z.input<(typeof helperOps)[O]['params']>;

export interface HelperPort {
  request<O extends HelperOp>(op: O, params: HelperParams<O>): Promise<unknown>;
  on<E extends HelperEvent>(event: E, listener: (data: z.output<(typeof helperEvents)[E]>) => void): unknown;
  status(): HelperStatus | Promise<HelperStatus>;
  /** Called whenever the helper process exits; running captures are over then. */
  onExitEvent?(listener: () => void): unknown;
}

/** request() either resolves a Result or throws: normalise to "result or CodedError". */
export async function helperCall<T = unknown, O extends HelperOp = HelperOp>(helper: HelperPort, op: O, params: HelperParams<O>): Promise<T> {
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

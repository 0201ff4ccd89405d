// One request line in, one reply object out. Every failure is a reply: bad
// JSON, wrong shape, unknown op, NUL bytes, wrong param types, handler errors.
import { HelperRequest, helperOps, type HelperOp, type HelperParsedParams, type HelperResult } from '../../shared/helper-protocol';
import { toErrorInfo, type ErrorInfo } from '../../shared/result';

export type Reply = { id: number; ok: true; result: unknown } | { id: number | null; ok: false; error: ErrorInfo };
export type Handlers = { [O in HelperOp]: (params: HelperParsedParams<O>) => HelperResult<O> | Promise<HelperResult<O>> };

const bad = (id: number | null, message: string): Reply => ({ id, ok: false, error: { code: 'INVALID_INPUT', message } });

function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\0');
  if (depth > 32 || v === null || typeof v !== 'object') return false;
  return Object.entries(v).some(([k, x]) => k.includes('\0') || hasNul(x, depth + 1));
}

export async function dispatch(line: string, handlers: Handlers): Promise<Reply> {
  if (line.includes('\0')) return bad(null, 'request contains a NUL byte');
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return bad(null, 'request is not JSON');
  }
  const rawId = (raw as { id?: unknown } | null)?.id;
  const knownId = Number.isSafeInteger(rawId) && (rawId as number) >= 0 ? (rawId as number) : null;
  const req = HelperRequest.safeParse(raw);
  if (!req.success) return bad(knownId, 'request must be {id, op, params}');
  const { id, op } = req.data;
  if (!Object.hasOwn(helperOps, op)) return bad(id, `unknown op: ${op.slice(0, 64)}`);
  if (hasNul(req.data.params)) return bad(id, 'params contain a NUL byte');
  const parsed = helperOps[op as HelperOp].params.safeParse(req.data.params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return bad(id, `${op}: ${where}${issue?.message ?? 'invalid params'}`);
  }
  try {
    const handler = handlers[op as HelperOp] as (params: unknown) => unknown;
    return { id, ok: true, result: (await handler(parsed.data)) ?? null };
  } catch (e) {
    return { id, ok: false, error: toErrorInfo(e) };
  }
}

// The one backend object behind every front door (Electron IPC, browser mode, CLI).
// Each service registers handlers for its API methods; `call` validates the input
// against the shared schema and turns every failure into data.
import { EventEmitter } from 'node:events';
import { apiMethods, isApiMethod, type ApiEvent, type ApiEventPayload, type ApiInput, type ApiMethod, type ApiOutput } from '../../shared/api';
import { fail, ok, toErrorInfo, type Result } from '../../shared/result';
import type { z } from 'zod';

type Parsed<M extends ApiMethod> = z.output<(typeof apiMethods)[M]['input']>;
export type Handler<M extends ApiMethod> = (input: Parsed<M>) => Promise<ApiOutput<M>>;

export class Backend {
  private readonly handlers = new Map<ApiMethod, (input: unknown) => Promise<unknown>>();
  private readonly events = new EventEmitter();
  private readonly closers: Array<() => Promise<void> | void> = [];
  private readonly listenerWatchers = new Set<(event: ApiEvent) => void>();
  private captureFiles: (id: string) => Promise<string | null> = async () => null;

  constructor() {
    this.events.setMaxListeners(0);
  }

  handle<M extends ApiMethod>(method: M, handler: Handler<M>): void {
    if (this.handlers.has(method)) throw new Error(`handler for ${method} registered twice`);
    this.handlers.set(method, handler as (input: unknown) => Promise<unknown>);
  }

  /** Call by name: validates, dispatches, never throws. */
  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<Result<ApiOutput<M>>> {
    return this.callUntrusted(method, input) as Promise<Result<ApiOutput<M>>>;
  }

  /**
   * The same for a method name and input from outside (a request, an IPC message): anything
   * is validated. (Not an overload of call: an `unknown` overload wins TypeScript's subtype
   * pass whenever a typed input lacks an optional field, and typed callers got `unknown`.)
   */
  async callUntrusted(method: unknown, input: unknown): Promise<Result<unknown>> {
    if (!isApiMethod(method)) return fail('INVALID_INPUT', `unknown method: ${String(method).slice(0, 64)}`);
    const handler = this.handlers.get(method);
    if (!handler) return fail('UNSUPPORTED', `${method} is not available in this build`);
    const parsed = apiMethods[method].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail('INVALID_INPUT', `${method}: ${where}${issue?.message ?? 'invalid input'}`);
    }
    try {
      return ok(await handler(parsed.data));
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) };
    }
  }

  emit<E extends ApiEvent>(event: E, payload: ApiEventPayload<E>): void {
    this.events.emit(event, payload);
  }

  on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void {
    this.events.on(event, listener);
    this.listenerWatchers.forEach((fn) => fn(event));
    return () => {
      this.events.off(event, listener);
      this.listenerWatchers.forEach((fn) => fn(event));
    };
  }

  listenerCount(event: ApiEvent): number {
    return this.events.listenerCount(event);
  }

  /** Told whenever an event gains or loses a listener: producers (rates) sleep while nobody listens. */
  watchListeners(fn: (event: ApiEvent) => void): () => void {
    this.listenerWatchers.add(fn);
    return () => this.listenerWatchers.delete(fn);
  }

  /** The capture service answers which file a capture id stands for (browser mode's download route). */
  provideCaptureFiles(fn: (id: string) => Promise<string | null>): void {
    this.captureFiles = fn;
  }

  /** The file of a capture, or null when there is none. */
  captureFile(id: string): Promise<string | null> {
    return this.captureFiles(id);
  }

  onClose(fn: () => Promise<void> | void): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const fn of this.closers.reverse()) await fn();
    this.closers.length = 0;
  }
}

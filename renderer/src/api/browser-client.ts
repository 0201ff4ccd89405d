// Browser mode's VethscopeApi: the same interface as Electron's preload, spoken
// over shared/browser-protocol.ts (HTTP POST for calls, one WebSocket for events).
import type { ApiEvent, ApiEventPayload, ApiMethod, ApiInput, ApiOutput, VethscopeApi } from '../../../shared/api';
import type { Result } from '../../../shared/result';
import { CALL_PATH, EVENTS_PATH, TOKEN_HEADER, TOKEN_QUERY } from '../../../shared/browser-protocol';

/** The subset of the WebSocket constructor we use, so tests can hand in `ws`. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}
export type SocketFactory = (url: string) => SocketLike;

export interface BrowserClientOptions {
  /** http://127.0.0.1:PORT (no trailing slash). */
  baseUrl: string;
  token: string;
  fetchImpl?: typeof fetch;
  socketFactory?: SocketFactory;
  /** Reconnect delays grow from min to max (doubling), reset after a successful open. */
  backoffMs?: { min: number; max: number };
}

export interface BrowserClient extends VethscopeApi {
  /** True while the event socket is open: the UI shows "reconnecting" otherwise. */
  connected(): boolean;
  /** Called with true when the event socket opens, false when it closes. Returns an unsubscribe function. */
  onConnectionChange(listener: (connected: boolean) => void): () => void;
  close(): void;
}

export function createBrowserClient(opts: BrowserClientOptions): BrowserClient {
  const fetchImpl = opts.fetchImpl ?? fetch.bind(globalThis);
  const backoff = opts.backoffMs ?? { min: 250, max: 8000 };
  const socketFactory: SocketFactory =
    opts.socketFactory ?? ((url) => new WebSocket(url) as unknown as SocketLike);
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connListeners = new Set<(connected: boolean) => void>();
  const setOpen = (v: boolean) => {
    if (open === v) return;
    open = v;
    for (const l of [...connListeners]) l(v);
  };
  let socket: SocketLike | null = null;
  let open = false;
  let closed = false;
  let delay = backoff.min;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const wsUrl = () => {
    const u = new URL(EVENTS_PATH, opts.baseUrl);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.searchParams.set(TOKEN_QUERY, opts.token);
    return u.toString();
  };

  const connect = () => {
    if (closed || socket) return;
    const s = socketFactory(wsUrl());
    socket = s;
    s.onopen = () => {
      delay = backoff.min;
      setOpen(true);
    };
    s.onmessage = (ev) => {
      let msg: { event?: unknown; payload?: unknown };
      try {
        msg = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data));
      } catch {
        return; // not ours: ignore rather than break the stream
      }
      if (typeof msg.event !== 'string') return;
      for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
    };
    s.onerror = () => {
      /* onclose follows; reconnect is handled there */
    };
    s.onclose = () => {
      socket = null;
      setOpen(false);
      if (closed) return;
      // Exponential backoff so a restarting server is not hammered.
      timer = setTimeout(connect, delay);
      delay = Math.min(backoff.max, delay * 2);
    };
  };

  return {
    async call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<Result<ApiOutput<M>>> {
      try {
        const res = await fetchImpl(new URL(CALL_PATH + method, opts.baseUrl).toString(), {
          method: 'POST',
          headers: { 'content-type': 'application/json', [TOKEN_HEADER]: opts.token },
          body: JSON.stringify(input ?? {}),
        });
        if (res.status === 401 || res.status === 403) {
          return { ok: false, error: { code: 'PERMISSION_DENIED', message: `The server refused the token (HTTP ${res.status}). Open the URL that \`vethscope serve\` printed.` } };
        }
        const body = (await res.json()) as Result<ApiOutput<M>>;
        if (!body || typeof body !== 'object' || typeof (body as { ok?: unknown }).ok !== 'boolean') {
          return { ok: false, error: { code: 'INTERNAL', message: `Unexpected reply to ${method} (HTTP ${res.status})` } };
        }
        return body;
      } catch (err) {
        return { ok: false, error: { code: 'INTERNAL', message: `Cannot reach the vethscope server: ${err instanceof Error ? err.message : String(err)}` } };
      }
    },
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      connect(); // lazily: a page that never listens never opens a socket
      return () => {
        set.delete(l);
      };
    },
    connected: () => open,
    onConnectionChange(listener) {
      connListeners.add(listener);
      return () => {
        connListeners.delete(listener);
      };
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
      socket = null;
    },
  };
}

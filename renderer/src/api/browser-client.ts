// Browser mode's VethscopeApi: the same interface as Electron's preload, spoken
// over shared/browser-protocol.ts (HTTP POST for calls, one WebSocket for events).
// The session secret goes in a header and a WebSocket subprotocol: never in a URL.
import type { ApiEvent, ApiEventPayload, ApiMethod, ApiInput, ApiOutput, VethscopeApi } from '../../../shared/api';
import type { Result } from '../../../shared/result';
import {
  CALL_PATH,
  DOWNLOADS_PATH,
  EVENTS_PATH,
  EVENTS_PROTOCOL,
  SESSION_HEADER,
  SESSION_PROTOCOL_PREFIX,
  type DownloadGrant,
} from '../../../shared/browser-protocol';

/** The subset of the WebSocket constructor we use, so tests can hand in `ws`. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}
export type SocketFactory = (url: string, protocols: string[]) => SocketLike;

export interface BrowserClientOptions {
  /** http://127.0.0.1:PORT (no trailing slash). */
  baseUrl: string;
  /** The session secret, or the exchange that will yield it (calls wait for it). */
  session: string | Promise<string>;
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
  /** A single-use link (same-origin path) to one capture's file, for an <a download>. */
  downloadLink(id: string): Promise<Result<DownloadGrant>>;
  close(): void;
}

export function createBrowserClient(opts: BrowserClientOptions): BrowserClient {
  const fetchImpl = opts.fetchImpl ?? fetch.bind(globalThis);
  const backoff = opts.backoffMs ?? { min: 250, max: 8000 };
  const socketFactory: SocketFactory =
    opts.socketFactory ?? ((url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike);
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const connListeners = new Set<(connected: boolean) => void>();
  const setOpen = (v: boolean) => {
    if (open === v) return;
    open = v;
    for (const l of [...connListeners]) l(v);
  };
  let socket: SocketLike | null = null;
  let session: string | null = typeof opts.session === 'string' ? opts.session : null;
  let open = false;
  let closed = false;
  let delay = backoff.min;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const wsUrl = () => {
    const u = new URL(EVENTS_PATH, opts.baseUrl);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    return u.toString();
  };
  let wanted = false;

  const connect = () => {
    if (closed || socket || !wanted || session === null) return;
    const s = socketFactory(wsUrl(), [EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + session]);
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

  if (typeof opts.session !== 'string') {
    void opts.session.then((s) => {
      session = s;
      connect();
    });
  }

  /** POST JSON with the session header; 401/403 become PERMISSION_DENIED with the server's words. */
  async function post<T>(path: string, input: unknown, what: string): Promise<Result<T>> {
    try {
      const res = await fetchImpl(new URL(path, opts.baseUrl).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SESSION_HEADER]: await opts.session },
        body: JSON.stringify(input ?? {}),
      });
      const body = (await res.json().catch(() => null)) as Result<T> | null;
      if (res.status === 401 || res.status === 403) {
        const why = body && !body.ok ? `: ${body.error.message}` : '';
        return { ok: false, error: { code: 'PERMISSION_DENIED', message: `The server refused this tab's session (HTTP ${res.status})${why}` } };
      }
      if (!body || typeof body !== 'object' || typeof (body as { ok?: unknown }).ok !== 'boolean') {
        return { ok: false, error: { code: 'INTERNAL', message: `Unexpected reply to ${what} (HTTP ${res.status})` } };
      }
      return body;
    } catch (err) {
      return { ok: false, error: { code: 'INTERNAL', message: `Cannot reach the vethscope server: ${err instanceof Error ? err.message : String(err)}` } };
    }
  }

  return {
    call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<Result<ApiOutput<M>>> {
      return post<ApiOutput<M>>(CALL_PATH + method, input, method);
    },
    downloadLink: (id) => post<DownloadGrant>(DOWNLOADS_PATH, { id }, 'a download request'),
    on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      wanted = true; // lazily: a page that never listens never opens a socket
      connect();
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

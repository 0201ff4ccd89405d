// Browser mode: the same Backend behind HTTP + WebSocket, on loopback. The static page holds
// no secret and is served to anyone who passes the Host/Origin checks; everything else needs
// a session, got once per printed link. Wire protocol: shared/browser-protocol.ts. Gatekeeping
// rules: ./security.ts; tickets, sessions and download links: ./credentials.ts.
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { apiEvents, type ApiEvent, type ApiEventPayload } from '../../../shared/api';
import {
  CALL_PATH,
  DOWNLOADS_PATH,
  DownloadRequest,
  EVENTS_PATH,
  EVENTS_PROTOCOL,
  SESSION_HEADER,
  SESSION_PATH,
  SESSION_PROBLEMS,
  TICKET_PARAM,
  TicketRequest,
  downloadLinkPath,
  type DownloadGrant,
  type EventMessage,
  type SessionGrant,
  type TicketRefusalBody,
} from '../../../shared/browser-protocol';
import { fail, ok, type Result } from '../../../shared/result';
import { createCredentials } from './credentials';
import { readJson, refuse, refuseUpgrade, sendJson, sendText, streamFile } from './http-io';
import { allowedHosts, isAllowedHost, isAllowedOrigin, securityHeaders, sessionFromHeader, sessionFromProtocols, type PresentedSession } from './security';
import { lookupStatic } from '../../util/static-files';

/** What the server needs of the Backend: calls in, events out. */
export interface ServerBackend {
  call(method: unknown, input: unknown): Promise<Result<unknown>>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEventPayload<E>) => void): () => void;
  /** Path of a capture's file, or null when there is none. */
  captureFile(id: string): Promise<string | null>;
}

export interface ServerOptions {
  backend: ServerBackend;
  host?: string;
  port?: number;
  staticDir?: string;
  maxBodyBytes?: number;
  /** The clock tickets and download links expire by (tests move it). */
  now?: () => number;
  /** Told each time a printed link is exchanged for a session (`serve` says so on its terminal). */
  onTicketUsed?: () => void;
}

export interface RunningServer {
  /** The first link to open: the page URL with a single-use ticket in its fragment. */
  url: string;
  host: string;
  port: number;
  /** Another link (another ticket) for the same server. */
  newTicketUrl(): string;
  /** A session for an in-process caller (tests, fuzzers): the owner of this object needs no ticket. */
  openSession(): string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
/** Ticket exchanges and download requests are a few bytes of JSON. */
const MAX_SMALL_BODY = 4096;
/** A WebSocket client this far behind is closed; it reconnects and re-fetches state. */
const MAX_WS_BACKLOG = 8 * 1024 * 1024;
const LINK_RE = /^[\w-]{1,128}$/;
const NEW_LINK = 'press Enter in the terminal running vethscope serve for a new link';

type Gate = { ok: true } | { ok: false; status: number; message: string };

export async function createServer(opts: ServerOptions): Promise<RunningServer> {
  const { backend } = opts;
  const bindHost = opts.host ?? '127.0.0.1';
  const staticDir = path.resolve(opts.staticDir ?? 'dist/renderer');
  const maxBody = opts.maxBodyBytes ?? MAX_BODY;
  const credentials = createCredentials(opts.now);
  let hosts = new Set<string>();

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, fail('INTERNAL', (err as Error).message));
      else res.destroy();
    });
  });
  // The client offers [EVENTS_PROTOCOL, session]; the answer names only EVENTS_PROTOCOL, never the secret.
  // Loaded here, not with the CLI: ws and the crypto it needs at load cost every other command ~8 ms.
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, handleProtocols: (offered) => (offered.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false) });

  /** Host and Origin: every request and upgrade, the static page included (DNS rebinding, other sites). */
  function originGate(req: IncomingMessage): Gate {
    if (!isAllowedHost(req.headers.host, hosts)) return { ok: false, status: 403, message: 'Host header is not this server (DNS rebinding?)' };
    if (!isAllowedOrigin(req.headers.origin, hosts)) return { ok: false, status: 403, message: 'cross-origin request refused' };
    return { ok: true };
  }

  function sessionGate(presented: PresentedSession): Gate {
    if (presented.kind === 'bad') return { ok: false, status: 400, message: presented.message };
    if (presented.kind === 'none') return { ok: false, status: 401, message: 'no session: open the link that `vethscope serve` printed' };
    if (!credentials.isSession(presented.session)) return { ok: false, status: 403, message: `this session is not known to this server (was it restarted?): ${NEW_LINK}` };
    return { ok: true };
  }

  /** The session header's gate; false when the refusal has been sent. */
  function requireSession(req: IncomingMessage, res: ServerResponse): boolean {
    const session = sessionGate(sessionFromHeader(req.headersDistinct[SESSION_HEADER]));
    if (!session.ok) refuse(res, true, session.status, session.message, session.status === 400 ? 'INVALID_INPUT' : 'PERMISSION_DENIED');
    return session.ok;
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?')[0]!;
    const isApi = pathname.startsWith('/api/');
    const hostHeader = isAllowedHost(req.headers.host, hosts) ? req.headers.host! : `127.0.0.1:${port()}`;
    for (const [k, v] of Object.entries(securityHeaders(hostHeader))) res.setHeader(k, v);
    res.setHeader('Cache-Control', 'no-store');
    const origin = originGate(req);
    if (!origin.ok) return refuse(res, isApi, origin.status, origin.message);
    if (!isApi) return handleStatic(req, res, pathname);
    if (pathname === SESSION_PATH) return handleSession(req, res);
    // A download link is its own credential: a navigation cannot carry a header.
    if (pathname.startsWith(`${DOWNLOADS_PATH}/`)) return handleDownload(req, res, pathname.slice(DOWNLOADS_PATH.length + 1));

    if (!requireSession(req, res)) return;
    if (pathname.startsWith(CALL_PATH)) return handleCall(req, res, pathname.slice(CALL_PATH.length));
    if (pathname === DOWNLOADS_PATH) return handleDownloadGrant(req, res);
    if (pathname === EVENTS_PATH) return sendJson(res, 426, fail('INVALID_INPUT', 'this path is a WebSocket endpoint'));
    return sendJson(res, 404, fail('NOT_FOUND', `no such endpoint: ${pathname.slice(0, 100)}`));
  }

  /** POST {ticket}: exchange the printed link's ticket, once. GET: is the presented session known? */
  async function handleSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      if (requireSession(req, res)) sendJson(res, 200, ok({}));
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'GET, POST');
      return sendJson(res, 405, fail('INVALID_INPUT', 'exchange a ticket with POST, check a session with GET'));
    }
    const body = await readJson(req, res, MAX_SMALL_BODY);
    if (!body.ok) return;
    const parsed = TicketRequest.safeParse(body.value);
    if (!parsed.success) return sendJson(res, 400, fail('INVALID_INPUT', `send {"${TICKET_PARAM}": "…"} as the JSON body`));
    const redeemed = credentials.redeemTicket(parsed.data.ticket);
    if (!redeemed.ok) {
      const { title, detail } = SESSION_PROBLEMS[redeemed.reason];
      const refusal: TicketRefusalBody = { ok: false, error: { code: 'PERMISSION_DENIED', message: `${title}. ${detail}` }, reason: redeemed.reason };
      return sendJson(res, 403, refusal);
    }
    opts.onTicketUsed?.();
    sendJson(res, 200, ok<SessionGrant>({ session: redeemed.session }));
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, rawMethod: string): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, fail('INVALID_INPUT', 'calls are POST requests'));
    }
    const body = await readJson(req, res, maxBody);
    if (!body.ok) return;
    let method: string;
    try {
      method = decodeURIComponent(rawMethod);
    } catch {
      method = rawMethod;
    }
    // Unknown methods and bad input come back as Result errors from the backend itself.
    sendJson(res, 200, await backend.call(method, body.value));
  }

  /** POST {id}: a single-use, short-lived link for exactly that capture's file. */
  async function handleDownloadGrant(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, fail('INVALID_INPUT', 'ask for a download link with POST'));
    }
    const body = await readJson(req, res, MAX_SMALL_BODY);
    if (!body.ok) return;
    const parsed = DownloadRequest.safeParse(body.value);
    if (!parsed.success) return sendJson(res, 400, fail('INVALID_INPUT', 'send {"id": CAPTURE_ID} as the JSON body'));
    const id = parsed.data.id;
    if (!(await fileOf(id))) return sendJson(res, 200, fail('NOT_FOUND', `capture ${id.slice(0, 128)} has no file`));
    sendJson(res, 200, ok<DownloadGrant>({ url: downloadLinkPath(credentials.issueDownload(id)) }));
  }

  async function handleDownload(req: IncomingMessage, res: ServerResponse, link: string): Promise<void> {
    // HEAD would spend the link without delivering the file.
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return sendText(res, 405, 'download links are opened with GET');
    }
    if (!LINK_RE.test(link)) return sendText(res, 404, 'no such download link');
    const taken = credentials.redeemDownload(link);
    if (!taken.ok) {
      if (taken.reason === 'unknown') return sendText(res, 404, 'no such download link');
      return sendText(res, 410, `this download link was ${taken.reason === 'used' ? 'already used' : 'not used in time'}: press Save as… again`);
    }
    const file = await fileOf(taken.value);
    if (!file) return sendText(res, 404, 'the capture has no file any more');
    const name = path.basename(file.path).replace(/[^\w.-]/g, '_');
    res.writeHead(200, {
      'Content-Type': name.endsWith('.pcapng') ? 'application/x-pcapng' : 'application/vnd.tcpdump.pcap',
      'Content-Length': file.size,
      'Content-Disposition': `attachment; filename="${name}"`,
    });
    streamFile(file.path, res);
  }

  async function fileOf(id: string): Promise<{ path: string; size: number } | null> {
    const file = await backend.captureFile(id);
    const st = file ? await stat(file).catch(() => null) : null;
    return file && st?.isFile() ? { path: file, size: st.size } : null;
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'method not allowed');
    }
    const hit = await lookupStatic(staticDir, pathname);
    if (hit.kind === 'bad-path') return sendText(res, 400, 'bad path');
    if (hit.kind === 'not-found') {
      const built = await stat(path.join(staticDir, 'index.html')).catch(() => null);
      return sendText(res, 404, built ? 'not found' : `the renderer is not built (${staticDir}/index.html is missing): run npm run build`);
    }
    res.writeHead(200, { 'Content-Type': hit.contentType, 'Content-Length': hit.size });
    if (req.method === 'HEAD') return void res.end();
    streamFile(hit.file, res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0];
    const origin = originGate(req);
    if (!origin.ok) return refuseUpgrade(socket, origin.status, origin.message);
    const session = sessionGate(sessionFromProtocols(req.headers['sec-websocket-protocol']));
    if (!session.ok) return refuseUpgrade(socket, session.status, session.message);
    if (pathname !== EVENTS_PATH) return refuseUpgrade(socket, 404, 'no such WebSocket endpoint');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  wss.on('connection', (ws: WebSocket) => {
    ws.on('error', () => ws.terminate());
    // Clients only listen; anything they send is ignored.
  });

  // One subscription per event for the whole server; each message is serialised once.
  const unsubscribe = (Object.keys(apiEvents) as ApiEvent[]).map((event) =>
    backend.on(event, (payload) => broadcast({ event, payload })),
  );
  function broadcast(msg: EventMessage): void {
    const data = JSON.stringify(msg);
    for (const ws of wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_WS_BACKLOG) ws.close(1013, 'too far behind; reconnect');
      else ws.send(data);
    }
  }

  const port = (): number => (server.address() as AddressInfo | null)?.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  hosts = allowedHosts(port(), bindHost);

  const urlHost = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  const newTicketUrl = () => `http://${urlHost}:${port()}/#${TICKET_PARAM}=${credentials.issueTicket()}`;
  let closed: Promise<void> | null = null;
  return {
    url: newTicketUrl(),
    host: bindHost,
    port: port(),
    newTicketUrl,
    openSession: credentials.openSession,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const off of unsubscribe) off();
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

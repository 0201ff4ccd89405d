// Browser mode: the same Backend behind HTTP + WebSocket, on loopback, token-gated.
// Wire protocol: shared/browser-protocol.ts. Gatekeeping rules: ./security.ts.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { apiEvents, type ApiEvent, type ApiEventPayload } from '../../../shared/api';
import { CALL_PATH, EVENTS_PATH, TOKEN_HEADER, TOKEN_QUERY, type EventMessage } from '../../../shared/browser-protocol';
import { fail, type ErrorCode, type Result } from '../../../shared/result';
import { allowedHosts, checkToken, isAllowedHost, isAllowedOrigin, newToken, securityHeaders } from './security';
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
  token?: string;
  maxBodyBytes?: number;
}

export interface RunningServer {
  /** The page URL, token included: what a person opens. */
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
/** Past this, an oversized body is no longer drained but the connection is cut. */
const MAX_DRAIN = 16 * 1024 * 1024;
/** A WebSocket client this far behind is closed; it reconnects and re-fetches state. */
const MAX_WS_BACKLOG = 8 * 1024 * 1024;
const CAPTURE_FILE_RE = /^\/api\/captures\/([^/]+)\/file$/;

export async function createServer(opts: ServerOptions): Promise<RunningServer> {
  const { backend } = opts;
  const bindHost = opts.host ?? '127.0.0.1';
  const staticDir = path.resolve(opts.staticDir ?? 'dist/renderer');
  const token = opts.token ?? newToken();
  const maxBody = opts.maxBodyBytes ?? MAX_BODY;
  let hosts = new Set<string>();
  let cookieName = 'vethscope';

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((err) => {
      if (!res.headersSent) sendJson(res, 500, fail('INTERNAL', (err as Error).message));
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });

  /** Host, Origin, token: the same three checks for every request and upgrade. */
  function gate(req: IncomingMessage, allowCookie: boolean): { status: 200 } | { status: 401 | 403; message: string } {
    if (!isAllowedHost(req.headers.host, hosts)) return { status: 403, message: 'Host header is not this server (DNS rebinding?)' };
    if (!isAllowedOrigin(req.headers.origin, hosts)) return { status: 403, message: 'cross-origin request refused' };
    return checkToken(token, requestToken(req, allowCookie));
  }

  function requestToken(req: IncomingMessage, allowCookie: boolean): string | undefined {
    const header = req.headers[TOKEN_HEADER];
    if (typeof header === 'string') return header;
    const q = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').getAll(TOKEN_QUERY);
    // A doubled ?token= is ambiguous (proxies and parsers disagree on which one counts): refuse it.
    if (q.length > 1) return '\0ambiguous';
    if (q.length === 1) return q[0];
    // The page's own assets (<script src>) cannot carry the token: after the page loaded
    // with ?token=, a strict same-site, HttpOnly cookie stands in for static files only.
    if (allowCookie) return readCookie(req.headers.cookie, cookieName);
    return undefined;
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?')[0]!;
    const isApi = pathname.startsWith('/api/');
    const hostHeader = isAllowedHost(req.headers.host, hosts) ? req.headers.host! : `127.0.0.1:${port()}`;
    for (const [k, v] of Object.entries(securityHeaders(hostHeader))) res.setHeader(k, v);
    res.setHeader('Cache-Control', 'no-store');
    const allowed = gate(req, !isApi && (req.method === 'GET' || req.method === 'HEAD'));
    if (allowed.status !== 200) return refuse(res, isApi, allowed.status, allowed.message);

    if (pathname.startsWith(CALL_PATH)) return handleCall(req, res, pathname.slice(CALL_PATH.length));
    if (pathname === EVENTS_PATH) return sendJson(res, 426, fail('INVALID_INPUT', 'this path is a WebSocket endpoint'));
    const file = CAPTURE_FILE_RE.exec(pathname);
    if (file) return handleCaptureFile(req, res, file[1]!);
    if (isApi) return sendJson(res, 404, fail('NOT_FOUND', `no such endpoint: ${pathname.slice(0, 100)}`));
    return handleStatic(req, res, pathname);
  }

  async function handleCall(req: IncomingMessage, res: ServerResponse, rawMethod: string): Promise<void> {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, fail('INVALID_INPUT', 'calls are POST requests'));
    }
    const body = await readBody(req, maxBody);
    if (body === 'too-large') {
      res.setHeader('Connection', 'close');
      return sendJson(res, 413, fail('INVALID_INPUT', `request body is larger than ${maxBody} bytes`));
    }
    let input: unknown;
    try {
      input = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    } catch (err) {
      return sendJson(res, 400, fail('INVALID_INPUT', `request body is not JSON: ${(err as Error).message}`));
    }
    let method: string;
    try {
      method = decodeURIComponent(rawMethod);
    } catch {
      method = rawMethod;
    }
    // Unknown methods and bad input come back as Result errors from the backend itself.
    sendJson(res, 200, await backend.call(method, input));
  }

  async function handleCaptureFile(req: IncomingMessage, res: ServerResponse, rawId: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, fail('INVALID_INPUT', 'use GET'));
    let id: string;
    try {
      id = decodeURIComponent(rawId);
    } catch {
      return sendJson(res, 400, fail('INVALID_INPUT', 'bad capture id'));
    }
    const file = await backend.captureFile(id);
    const st = file ? await stat(file).catch(() => null) : null;
    if (!file || !st?.isFile()) return sendJson(res, 404, fail('NOT_FOUND', `capture ${id.slice(0, 128)} has no file`));
    const name = path.basename(file).replace(/[^\w.-]/g, '_');
    res.writeHead(200, {
      'Content-Type': name.endsWith('.pcapng') ? 'application/x-pcapng' : 'application/vnd.tcpdump.pcap',
      'Content-Length': st.size,
      'Content-Disposition': `attachment; filename="${name}"`,
    });
    if (req.method === 'HEAD') return void res.end();
    streamFile(file, res);
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
    // Remember the token for the page's own assets (see requestToken).
    if (!readCookie(req.headers.cookie, cookieName)) {
      res.setHeader('Set-Cookie', `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    }
    res.writeHead(200, { 'Content-Type': hit.contentType, 'Content-Length': hit.size });
    if (req.method === 'HEAD') return void res.end();
    streamFile(hit.file, res);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '/').split('?')[0];
    const allowed = gate(req, false);
    if (allowed.status !== 200) return refuseUpgrade(socket, allowed.status, allowed.message);
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
  cookieName = `vethscope-${port()}`; // cookies ignore ports: one name per server

  const urlHost = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port()}/?${TOKEN_QUERY}=${token}`,
    host: bindHost,
    port: port(),
    token,
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

function refuse(res: ServerResponse, isApi: boolean, status: number, message: string): void {
  if (isApi) sendJson(res, status, fail('PERMISSION_DENIED' satisfies ErrorCode, message));
  else sendText(res, status, message);
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function streamFile(file: string, res: ServerResponse): void {
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The whole body, or 'too-large' after draining (so the client sees the 413, not a reset). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    let size = 0;
    let tooLarge = declared > limit;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (size > MAX_DRAIN) return req.destroy();
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => resolve('too-large')); // destroyed past MAX_DRAIN; a no-op after 'end'
  });
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

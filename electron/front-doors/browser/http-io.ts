// The small HTTP plumbing of browser mode: replies, refusals, bodies, files.
import { createReadStream } from 'node:fs';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { fail, type ErrorCode } from '../../../shared/result';

/** Past this, an oversized body is no longer drained but the connection is cut. */
const MAX_DRAIN = 16 * 1024 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A refusal: Result JSON for the API, plain text for pages and downloads (a person reads those). */
export function refuse(res: ServerResponse, asJson: boolean, status: number, message: string, code: ErrorCode = 'PERMISSION_DENIED'): void {
  if (asJson) sendJson(res, status, fail(code, message));
  else sendText(res, status, message);
}

export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`,
  );
}

export function streamFile(file: string, res: ServerResponse): void {
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The whole body, or 'too-large' after draining (so the client sees the 413, not a reset). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
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

/** A JSON body of at most `limit` bytes: the parsed value, or the refusal already sent. */
export async function readJson(req: IncomingMessage, res: ServerResponse, limit: number): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const body = await readBody(req, limit);
  if (body === 'too-large') {
    res.setHeader('Connection', 'close');
    sendJson(res, 413, fail('INVALID_INPUT', `request body is larger than ${limit} bytes`));
    return { ok: false };
  }
  try {
    return { ok: true, value: body.length === 0 ? undefined : JSON.parse(body.toString('utf8')) };
  } catch (err) {
    sendJson(res, 400, fail('INVALID_INPUT', `request body is not JSON: ${(err as Error).message}`));
    return { ok: false };
  }
}

// app://vethscope/… → files of the built renderer, with the CSP on every response.
// Same traversal-proof lookup as browser mode (symlinks out of the directory refused).
import { readFile } from 'node:fs/promises';
import { lookupStatic } from '../../util/static-files';
import { APP_HOST, contentSecurityPolicy } from './security';

export async function serveAppRequest(rendererDir: string, request: { url: string; method: string }): Promise<Response> {
  const headers = { 'Content-Security-Policy': contentSecurityPolicy(), 'X-Content-Type-Options': 'nosniff' };
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return new Response('bad url', { status: 400, headers });
  }
  if (url.host !== APP_HOST) return new Response('not found', { status: 404, headers });
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405, headers });
  const hit = await lookupStatic(rendererDir, url.pathname);
  if (hit.kind === 'bad-path') return new Response('bad path', { status: 400, headers });
  if (hit.kind === 'not-found') return new Response(`not found (is the renderer built in ${rendererDir}?)`, { status: 404, headers });
  const body = request.method === 'HEAD' ? null : await readFile(hit.file);
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': hit.contentType } });
}

// Resolving a URL path to a file of the built renderer, never outside its directory.
// Shared by browser mode and Electron's app:// protocol.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup =
  | { kind: 'file'; file: string; size: number; contentType: string }
  | { kind: 'not-found' }
  | { kind: 'bad-path' };

/**
 * Map a raw (still percent-encoded) URL pathname to a file under `root`.
 * Unknown paths without an extension fall back to index.html (client-side routes);
 * a missing asset is a 404 rather than HTML, so a broken build fails loudly.
 */
export async function lookupStatic(root: string, rawPathname: string): Promise<StaticLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPathname);
  } catch {
    return { kind: 'bad-path' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-path' };
  const realRoot = await realpath(root).catch(() => null);
  if (realRoot === null) return { kind: 'not-found' };
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const candidate = path.resolve(realRoot, rel);
  if (!isInside(realRoot, candidate)) return { kind: 'bad-path' };
  const hit = await fileInside(realRoot, candidate);
  if (hit) return hit;
  if (path.extname(rel) === '' || rel.endsWith('.html')) {
    const index = await fileInside(realRoot, path.join(realRoot, 'index.html'));
    if (index) return index;
  }
  return { kind: 'not-found' };
}

function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root + path.sep);
}

/** A regular file whose real path (symlinks followed) is still inside root. */
async function fileInside(root: string, p: string): Promise<StaticLookup | null> {
  const real = await realpath(p).catch(() => null);
  if (real === null || !isInside(root, real)) return null;
  const st = await stat(real).catch(() => null);
  if (!st?.isFile()) return null;
  return { kind: 'file', file: real, size: st.size, contentType: contentType(real) };
}

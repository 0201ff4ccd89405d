// Browser mode's gatekeeping, as pure functions: secrets, Host/Origin checks, headers.
// Browser mode listens on loopback, but any web page the user visits can still reach
// 127.0.0.1, and so can every other local user: a secret (never a cookie, never in a URL)
// stops blind requests, the Host check stops DNS rebinding (a foreign name resolving to
// 127.0.0.1), the Origin check stops cross-site requests.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { EVENTS_PROTOCOL, SESSION_HEADER, SESSION_PROTOCOL_PREFIX } from '../../../shared/browser-protocol';

/** 32 random bytes, base64url: URL-safe, no padding, a valid WebSocket subprotocol token. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a secret: what the server keeps and compares (equal lengths, so comparing leaks no length). */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time comparison of two digests. */
export function digestsMatch(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/** Is this a loopback address or name (for --host)? 127.0.0.0/8, ::1, localhost. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) && h.split('.').every((p) => Number(p) <= 255);
}

/**
 * `host:port` strings a request's Host header may carry: the loopback names, plus the
 * bind address itself when it is a specific one (127.0.0.2, or a LAN address with --allow-remote).
 */
export function allowedHosts(port: number, bindHost?: string): Set<string> {
  const names = [...LOOPBACK_NAMES];
  const wildcard = bindHost === undefined || bindHost === '0.0.0.0' || bindHost === '::';
  if (!wildcard) names.push(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost);
  return new Set(names.map((n) => `${n.toLowerCase()}:${port}`));
}

export function isAllowedHost(hostHeader: string | undefined, hosts: Set<string>): boolean {
  return typeof hostHeader === 'string' && hosts.has(hostHeader.toLowerCase());
}

/** No Origin (curl, same-origin GET in some browsers) is fine; a present Origin must be ours exactly. */
export function isAllowedOrigin(origin: string | undefined, hosts: Set<string>): boolean {
  if (origin === undefined) return true;
  const m = /^http:\/\/(.+)$/i.exec(origin);
  return m !== null && hosts.has(m[1]!.toLowerCase());
}

/** The session a request presents: none, one, or a refusal when it is ambiguous (never guess which one counts). */
export type PresentedSession = { kind: 'none' } | { kind: 'one'; session: string } | { kind: 'bad'; message: string };

/** From the session header; `values` are the header's distinct values (node joins repeated ones otherwise). */
export function sessionFromHeader(values: string[] | undefined): PresentedSession {
  if (values && values.length > 1) return { kind: 'bad', message: `more than one ${SESSION_HEADER} header` };
  const v = values?.[0]?.trim();
  return v ? { kind: 'one', session: v } : { kind: 'none' };
}

/** From a WebSocket's Sec-WebSocket-Protocol offer: [EVENTS_PROTOCOL, SESSION_PROTOCOL_PREFIX + secret]. */
export function sessionFromProtocols(header: string | undefined): PresentedSession {
  const offered = (header ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const sessions = offered.filter((p) => p.startsWith(SESSION_PROTOCOL_PREFIX));
  if (sessions.length === 0) return { kind: 'none' };
  if (sessions.length > 1) return { kind: 'bad', message: 'more than one session subprotocol' };
  if (!offered.includes(EVENTS_PROTOCOL)) return { kind: 'bad', message: `offer the subprotocol ${EVENTS_PROTOCOL} too` };
  return { kind: 'one', session: sessions[0]!.slice(SESSION_PROTOCOL_PREFIX.length) };
}

/** The page's CSP. React Flow positions nodes with style attributes, hence 'unsafe-inline' for styles only. */
export function browserCsp(hostHeader: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ws://${hostHeader}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Headers every response carries, authorised or not. */
export function securityHeaders(hostHeader: string): Record<string, string> {
  return {
    'Content-Security-Policy': browserCsp(hostHeader),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

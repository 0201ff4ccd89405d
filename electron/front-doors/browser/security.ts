// Browser mode's gatekeeping, as pure functions: token, Host/Origin checks, headers.
// Browser mode listens on loopback, but any web page the user visits can still reach
// 127.0.0.1: the token stops blind requests, the Host check stops DNS rebinding (a
// foreign name resolving to 127.0.0.1), the Origin check stops cross-site requests.
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';

/** 32 random bytes, base64url: URL-safe, no padding. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes the lengths equal, so length leaks nothing either. */
export function tokenMatches(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
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

export type TokenCheck = { status: 200 } | { status: 401 | 403; message: string };

export function checkToken(expected: string, given: string | undefined): TokenCheck {
  if (given === undefined || given === '') return { status: 401, message: 'missing token: open the URL that `vethscope serve` printed' };
  return tokenMatches(expected, given) ? { status: 200 } : { status: 403, message: 'wrong token' };
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

// One way to reach the backend, whichever front door we were loaded through.
import type { VethscopeApi } from '../../../shared/api';
import { TOKEN_QUERY } from '../../../shared/browser-protocol';
import { createBrowserClient } from './browser-client';

declare global {
  interface Window {
    vethscope?: VethscopeApi;
  }
}

export type ApiMode = 'electron' | 'browser';
let cached: { api: VethscopeApi; mode: ApiMode; token: string | null } | null = null;

function resolve() {
  if (cached) return cached;
  if (window.vethscope) {
    cached = { api: window.vethscope, mode: 'electron', token: null };
  } else {
    const token = new URLSearchParams(location.search).get(TOKEN_QUERY) ?? '';
    cached = { api: createBrowserClient({ baseUrl: location.origin, token }), mode: 'browser', token };
  }
  return cached;
}

/** `window.vethscope` under Electron, else the HTTP/WebSocket client for `vethscope serve`. */
export function getApi(): VethscopeApi {
  return resolve().api;
}
export function apiMode(): ApiMode {
  return resolve().mode;
}
/** The page token (browser mode), needed for download links. */
export function apiToken(): string | null {
  return resolve().token;
}

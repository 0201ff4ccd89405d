// One way to reach the backend, whichever front door we were loaded through.
import type { VethscopeApi } from '../../../shared/api';
import { TOKEN_QUERY } from '../../../shared/browser-protocol';
import { createBrowserClient, type BrowserClient } from './browser-client';
import { alwaysConnected, type Connection } from './connection';

declare global {
  interface Window {
    vethscope?: VethscopeApi;
  }
}

export type ApiMode = 'electron' | 'browser';
let cached: { api: VethscopeApi; mode: ApiMode; token: string | null; connection: Connection } | null = null;

function resolve() {
  if (cached) return cached;
  if (window.vethscope) {
    cached = { api: window.vethscope, mode: 'electron', token: null, connection: alwaysConnected };
  } else {
    const token = new URLSearchParams(location.search).get(TOKEN_QUERY) ?? '';
    const client: BrowserClient = createBrowserClient({ baseUrl: location.origin, token });
    cached = { api: client, mode: 'browser', token, connection: { connected: client.connected, onChange: client.onConnectionChange } };
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
/** Whether pushed events can arrive (browser mode: the WebSocket is open; Electron: always). */
export function apiConnection(): Connection {
  return resolve().connection;
}

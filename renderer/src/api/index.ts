// One way to reach the backend, whichever front door we were loaded through.
import type { VethscopeApi } from '../../../shared/api';
import { TICKET_PARAM, type SessionProblem } from '../../../shared/browser-protocol';
import { fail, ok, type Result } from '../../../shared/result';
import { createBrowserClient, type BrowserClient } from './browser-client';
import { alwaysConnected, type Connection } from './connection';
import { establishSession, takeTicket, type SessionOutcome } from './session';

declare global {
  interface Window {
    vethscope?: VethscopeApi;
  }
}

export type ApiMode = 'electron' | 'browser';
type Resolved =
  | { mode: 'electron'; api: VethscopeApi; connection: Connection; ready: Promise<SessionOutcome | null> }
  | { mode: 'browser'; api: BrowserClient; connection: Connection; ready: Promise<SessionOutcome> };
let cached: Resolved | null = null;

function resolve(): Resolved {
  if (cached) return cached;
  if (window.vethscope) {
    cached = { mode: 'electron', api: window.vethscope, connection: alwaysConnected, ready: Promise.resolve(null) };
    return cached;
  }
  // The ticket leaves the address bar before any request is made or any other code reads it.
  const env = { location, history, storage: sessionStorageOrNull(), fetchImpl: fetch.bind(globalThis) };
  const ready = establishSession(env, takeTicket(env));
  // A new link pasted into this tab changes only the fragment (no page load): load it properly.
  window.addEventListener('hashchange', () => {
    if (new URLSearchParams(location.hash.slice(1)).has(TICKET_PARAM)) location.reload();
  });
  const client = createBrowserClient({ baseUrl: location.origin, session: ready.then((r) => (r.ok ? r.session : '')) });
  cached = { mode: 'browser', api: client, connection: { connected: client.connected, onChange: client.onConnectionChange }, ready };
  return cached;
}

/**
 * Call first, before rendering: in browser mode it takes the ticket out of the address bar and
 * exchanges it for this tab's session. Resolves with the problem to show instead of the app, or null.
 */
export async function apiReady(): Promise<SessionProblem | null> {
  const outcome = await resolve().ready;
  return outcome && !outcome.ok ? outcome.problem : null;
}

/** `window.vethscope` under Electron, else the HTTP/WebSocket client for `vethscope serve`. */
export function getApi(): VethscopeApi {
  return resolve().api;
}
export function apiMode(): ApiMode {
  return resolve().mode;
}
/** Whether pushed events can arrive (browser mode: the WebSocket is open; Electron: always). */
export function apiConnection(): Connection {
  return resolve().connection;
}

/** Browser mode's Save as…: a single-use link for this capture, opened by a throwaway <a download>. */
export async function downloadCapture(id: string, fileName: string): Promise<Result<null>> {
  const r = resolve();
  if (r.mode !== 'browser') return fail('UNSUPPORTED', 'downloads are a browser-mode feature; use saveCaptureAs');
  const link = await r.api.downloadLink(id);
  if (!link.ok) return link;
  const a = document.createElement('a');
  a.href = link.result.url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  return ok(null);
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null; // some privacy settings throw on access
  }
}
